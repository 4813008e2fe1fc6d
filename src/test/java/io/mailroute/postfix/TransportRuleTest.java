package io.mailroute.postfix;

import static io.mailroute.postfix.Routes.SECRET;
import static io.mailroute.postfix.Routes.pinned;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransportRuleTest {

    private static final SaslCredentials CREDENTIALS = new SaslCredentials("relay", SECRET);

    @Test
    void normalizesDomainAndCopiesNextHops() {
        List<NextHop> hops = new ArrayList<>(List.of(pinned("mx1.example.net")));
        TransportRule rule =
                new TransportRule("Bücher.Example.", false, hops, TlsLevel.MAY, null, "ns/books");
        hops.add(pinned("mx2.example.net"));

        assertThat(rule.domain()).isEqualTo("xn--bcher-kva.example");
        assertThat(rule.nextHops()).containsExactly(pinned("mx1.example.net"));
        assertThat(rule.deliversByRecipientMx()).isFalse();
    }

    @Test
    void nullNextHopsMeansDeliveryByRecipientMx() {
        TransportRule rule =
                new TransportRule("example.net", false, null, TlsLevel.MAY, null, "ns/r");
        assertThat(rule.nextHops()).isEmpty();
        assertThat(rule.deliversByRecipientMx()).isTrue();
    }

    @Test
    void rejectsTheSameNextHopTwice() {
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net",
                                        false,
                                        List.of(
                                                pinned("mx.example.net"),
                                                pinned("MX.example.net.")),
                                        TlsLevel.MAY,
                                        null,
                                        "ns/r"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("nextHops[1]: next hop [mx.example.net]:25 is listed twice");
    }

    @Test
    void rejectsNullNextHopAndMissingTls() {
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net",
                                        false,
                                        Arrays.asList(pinned("mx.example.net"), null),
                                        TlsLevel.MAY,
                                        null,
                                        "ns/r"))
                .hasMessage("nextHops[1]: must not be empty");
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net", false, List.of(), null, null, "ns/r"))
                .hasMessage("tls: must be set");
    }

    @Test
    void rejectsCredentialsWithoutExplicitNextHop() {
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net",
                                        false,
                                        List.of(),
                                        TlsLevel.VERIFY,
                                        CREDENTIALS,
                                        "ns/r"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "sasl: credentials need an explicit next hop; "
                                + "they are never sent to a recipient domain's MX hosts")
                .hasMessageNotContaining(SECRET);
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsLevel.class,
            names = {"NONE", "MAY", "DANE"})
    void rejectsCredentialsOverPossiblyUnencryptedConnections(TlsLevel tls) {
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net",
                                        false,
                                        List.of(pinned("smtp.example.net")),
                                        tls,
                                        CREDENTIALS,
                                        "ns/r"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "tls: TLS policy "
                                + tls.postfixLevel()
                                + " could send the password unencrypted; "
                                + "use encrypt, verify or secure with credentials")
                .hasMessageNotContaining(SECRET);
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsLevel.class,
            names = {"ENCRYPT", "VERIFY", "SECURE"})
    void acceptsCredentialsWithMandatoryTls(TlsLevel tls) {
        TransportRule rule =
                new TransportRule(
                        "example.net",
                        false,
                        List.of(pinned("smtp.example.net")),
                        tls,
                        CREDENTIALS,
                        "ns/r");
        assertThat(rule.sasl()).isEqualTo(CREDENTIALS);
        assertThat(rule.toString()).doesNotContain(SECRET);
    }

    @Test
    void rejectsSourcesThatCouldBreakOutOfAComment() {
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net",
                                        false,
                                        List.of(),
                                        TlsLevel.MAY,
                                        null,
                                        "ns/r\nexample.org smtp:[evil.example]:25"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "source: \"ns/r\\nexample.org smtp:[evil.example]:25\" is not a valid object name: "
                                + "only letters, digits, '-', '.', '_' and '/' are allowed");
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "example.net", false, List.of(), TlsLevel.MAY, null, ""))
                .hasMessage("source: must not be empty");
    }

    @Test
    void reportsInvalidDomainUnderDomainField() {
        assertThatThrownBy(
                        () ->
                                new TransportRule(
                                        "*.example.net",
                                        true,
                                        List.of(),
                                        TlsLevel.MAY,
                                        null,
                                        "ns/r"))
                .hasMessage(
                        "domain: \"*.example.net\" is not a valid domain name: "
                                + "contains '*'; wildcards are not supported, include subdomains instead");
    }

    @Test
    void tlsLevelsUsePostfixKeywords() {
        assertThat(Arrays.stream(TlsLevel.values()).map(TlsLevel::postfixLevel))
                .containsExactly("none", "may", "encrypt", "verify", "secure", "dane");
    }
}
