package io.mailroute.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.NetNs;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.Swaks;
import io.mailroute.routing.RelaySettingsTranslator;
import io.mailroute.routing.RouteRejectedException;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.Resources;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hardening item 4 with real Postfix: an IPv6 {@code acceptFrom} network is accepted, rendered as
 * {@code [2001:db8:0:1::]/64} and lets exactly those IPv6 clients relay. The relay listens on an
 * IPv6 documentation address in a network namespace of the test; swaks connects from chosen source
 * addresses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayIpv6AcceptFromTest {

    private static final String RELAY_ADDRESS = "2001:db8::1";
    private static final String ALLOWED_CLIENT = "2001:db8:0:1::7";
    private static final String OUTSIDER = "2001:db8:0:2::7";
    private static final String SERVER = "[" + RELAY_ADDRESS + "]:2525";

    private NetNs netns;
    private RelayInstance relay;

    @BeforeAll
    void start() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "ip", "swaks");
        netns = NetNs.create();
        for (String address : new String[] {RELAY_ADDRESS, ALLOWED_CLIENT, OUTSIDER}) {
            netns.addAddress(address + "/128");
        }
        // from the MailRelay resource through the operator's translator, where IPv6 used to be
        // refused
        MailRelay resource = Resources.relay("mail", "relay");
        resource.getSpec().acceptFrom = List.of("2001:db8:0:1::/64");
        PostfixConfig config;
        try {
            config =
                    new PostfixRenderer()
                            .render(
                                    RelaySettingsTranslator.translate(
                                            resource, Resources.NO_INPUTS),
                                    List.of());
        } catch (RouteRejectedException e) {
            throw new AssertionError("MailRelay refused: " + e.getMessage(), e);
        }
        assertThat(config.mainCf())
                .contains("\nmynetworks = 127.0.0.0/8 [::1]/128 [2001:db8:0:1::]/64\n");
        relay =
                RelayInstance.create(
                                new Loopback.Endpoint("[" + RELAY_ADDRESS + "]", 2525),
                                null,
                                netns.exec(),
                                "inet_protocols = all")
                        .start(config);
    }

    @AfterAll
    void stop() {
        if (relay != null) {
            relay.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void ipv6ClientInAcceptFromCanRelay() {
        Commands.Result result =
                Swaks.send(
                        netns,
                        SERVER,
                        ALLOWED_CLIENT,
                        "app@sender.test",
                        "customer@elsewhere.test",
                        "allowed-v6",
                        "RCPT");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("<-  250 2.1.5 Ok");
    }

    @Test
    void ipv6ClientOutsideAcceptFromCannotRelay() {
        Commands.Result result =
                Swaks.send(
                        netns,
                        SERVER,
                        OUTSIDER,
                        "spam@sender.test",
                        "victim@elsewhere.test",
                        "open-relay-probe-v6",
                        "RCPT");

        assertThat(result.exitCode()).as(result.output()).isEqualTo(24);
        assertThat(result.output()).contains("Relay access denied");
        assertThat(relay.maillog()).contains("reject: RCPT from unknown[" + OUTSIDER + "]");
    }
}
