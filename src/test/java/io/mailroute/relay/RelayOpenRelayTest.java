package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.NetNs;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.Swaks;
import io.mailroute.testing.RealComponents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Only clients in {@code acceptFrom} may relay. The rendered mynetworks always contains 127.0.0.0/8
 * (in-pod probes and tools), so a loopback source address cannot stand for an outsider: the relay
 * runs in a network namespace of the test with documentation addresses (192.0.2.0/24) on its
 * loopback interface, and swaks connects from a chosen source address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayOpenRelayTest {

    private static final String RELAY_ADDRESS = "192.0.2.1";
    private static final String ALLOWED_CLIENT = "192.0.2.2";
    private static final String OUTSIDER = "192.0.2.3";
    private static final String SERVER = RELAY_ADDRESS + ":2525";

    private NetNs netns;
    private RelayInstance relay;

    @BeforeAll
    void start() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "ip", "swaks");
        netns = NetNs.create();
        for (String address : new String[] {RELAY_ADDRESS, ALLOWED_CLIENT, OUTSIDER}) {
            netns.addAddress(address + "/32");
        }
        PostfixConfig config =
                render(relayVia(new Loopback.Endpoint("127.0.0.1", 2526), ALLOWED_CLIENT + "/32"));
        assertThat(config.mainCf())
                .containsPattern("mynetworks = .*" + ALLOWED_CLIENT + "/32")
                .doesNotContain(OUTSIDER);
        relay =
                RelayInstance.create(new Loopback.Endpoint(RELAY_ADDRESS, 2525), null, netns.exec())
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
    void clientOutsideAcceptFromCannotRelay() {
        Commands.Result result =
                Swaks.send(
                        netns,
                        SERVER,
                        OUTSIDER,
                        "spam@sender.test",
                        "victim@elsewhere.test",
                        "open-relay-probe",
                        "RCPT");

        assertThat(result.exitCode()).as(result.output()).isEqualTo(24);
        assertThat(result.output())
                .contains("554 5.7.1 <victim@elsewhere.test>: Relay access denied");
        assertThat(relay.maillog()).contains("reject: RCPT from unknown[" + OUTSIDER + "]");
    }

    @Test
    void clientInAcceptFromCanRelay() {
        Commands.Result result =
                Swaks.send(
                        netns,
                        SERVER,
                        ALLOWED_CLIENT,
                        "app@sender.test",
                        "customer@elsewhere.test",
                        "allowed",
                        "RCPT");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("<-  250 2.1.5 Ok");
    }

    @Test
    void outsiderCannotRelayToARoutedDomainEither() {
        Commands.Result result =
                Swaks.send(
                        netns,
                        SERVER,
                        OUTSIDER,
                        "spam@sender.test",
                        "victim@a.test",
                        "open-relay-probe-2",
                        "RCPT");

        assertThat(result.exitCode()).as(result.output()).isEqualTo(24);
        assertThat(result.output()).contains("Relay access denied");
    }
}
