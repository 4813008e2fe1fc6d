package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-route delivery transports: validated values only, rendered into master.cf entries and main.cf
 * limits.
 */
class TransportSettingsTest {
    private static final NextHop SMARTHOST = new NextHop("smtp.example.net", 465, false);

    @Test
    void aRouteWithSettingsGetsItsOwnTransportEverywhere() {
        TransportRule rule =
                new TransportRule(
                        "example.com",
                        true,
                        List.of(SMARTHOST),
                        TlsLevel.ENCRYPT,
                        null,
                        "mail/smtps",
                        new TransportSettings(3, 5, 10, true));
        String name = rule.transport();

        PostfixConfig config =
                new PostfixRenderer()
                        .render(
                                Routes.relay(),
                                List.of(
                                        rule,
                                        Routes.rule("other.com", Routes.pinned("mx.other.com"))));

        assertThat(name)
                .matches("mr[0-9a-f]{12}")
                .isEqualTo(TransportSettings.transportName("mail/smtps"));
        assertThat(config.transportLines())
                .containsExactly(
                        "example.com " + name + ":[smtp.example.net]:465",
                        ".example.com " + name + ":[smtp.example.net]:465",
                        "other.com smtp:[mx.other.com]:25");
        assertThat(config.masterServices())
                .contains(
                        "# mail/smtps\n"
                                + name
                                + " unix - - n - - smtp\n  -o syslog_name=postfix/"
                                + name
                                + "\n"
                                + "  -o smtp_tls_wrappermode=yes\n  -o smtp_tls_security_level=encrypt\n");
        assertThat(config.mainCf())
                .contains(
                        name + "_destination_concurrency_limit = 3\n",
                        name + "_destination_rate_delay = 5s\n",
                        name + "_destination_concurrency_failed_cohort_limit = 10\n",
                        name + "_destination_recipient_limit = 10\n");
        assertThat(config.tlsPolicy()).contains("[smtp.example.net]:465 encrypt");
        assertThat(config.publicFiles()).containsKey(PostfixConfig.MASTER_SERVICES);
        assertThat(PostfixRenderer.renderedBytes(rule))
                .isGreaterThanOrEqualTo(
                        (long)
                                (config.masterServices().length()
                                        - config.masterServices().indexOf("# mail/smtps")));
    }

    @Test
    void withoutSettingsNothingChanges() {
        PostfixConfig config =
                new PostfixRenderer().render(Routes.relay(), Routes.microsoftConsumerDomains());

        assertThat(config.masterServices()).isEmpty();
        assertThat(config.publicFiles()).doesNotContainKey(PostfixConfig.MASTER_SERVICES);
        assertThat(config.transportLines()).allMatch(line -> line.contains(" smtp:"));
        assertThat(new TransportSettings(null, 0, null, false).isDefault())
                .as("a zero delay is no delay")
                .isTrue();
    }

    @Test
    void valuesOutOfRangeAreRejectedWithTheirField() {
        assertThatThrownBy(() -> new TransportSettings(0, null, null, false))
                .hasMessageStartingWith("delivery.concurrency: must be between 1 and 100");
        assertThatThrownBy(() -> new TransportSettings(101, null, null, false))
                .hasMessageStartingWith("delivery.concurrency:");
        assertThatThrownBy(() -> new TransportSettings(null, -1, null, false))
                .hasMessageStartingWith("delivery.rateDelaySeconds:");
        assertThatThrownBy(() -> new TransportSettings(null, 3601, null, false))
                .hasMessageStartingWith("delivery.rateDelaySeconds:");
        assertThatThrownBy(() -> new TransportSettings(null, null, 1, false))
                .hasMessageStartingWith("delivery.recipientLimit:");
    }

    @Test
    void implicitTlsNeedsMandatoryTlsAndExplicitNextHops() {
        TransportSettings smtps = new TransportSettings(null, null, null, true);
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.com",
                                        false,
                                        List.of(SMARTHOST),
                                        TlsLevel.MAY,
                                        null,
                                        "mail/r",
                                        smtps))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "delivery.implicitTls: needs TLS policy encrypt, verify or secure, not may");
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.com",
                                        false,
                                        List.of(),
                                        TlsLevel.ENCRYPT,
                                        null,
                                        "mail/r",
                                        smtps))
                .hasMessageStartingWith("delivery.implicitTls: needs explicit next hops");
    }

    @Test
    void theTransportNameDependsOnlyOnTheRoute() {
        assertThat(TransportSettings.transportName("ns/a\nb = c")).matches("mr[0-9a-f]{12}");
        assertThat(TransportSettings.transportName("mail/a"))
                .isNotEqualTo(TransportSettings.transportName("mail/b"));
    }
}
