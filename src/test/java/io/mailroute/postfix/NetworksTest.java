package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworksTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.0.0.0/8, 10.0.0.0/8",
        "192.168.1.0/24, 192.168.1.0/24, 192.168.1.0/24",
        "192.0.2.7, 192.0.2.7/32, 192.0.2.7/32",
        "192.0.2.7/32, 192.0.2.7/32, 192.0.2.7/32",
        "2001:db8::/32, 2001:db8::/32, [2001:db8::]/32",
        "2001:DB8:0:0::/64, 2001:db8::/64, [2001:db8::]/64",
        "2001:db8::5, 2001:db8::5/128, [2001:db8::5]/128",
        "fd00::/8, fd00::/8, [fd00::]/8",
    })
    void normalizesToCanonicalCidrAndRendersPostfixMynetworksSyntax(
            String input, String canonical, String postfix) {
        assertThat(Networks.normalizeCidr("acceptFrom[0]", input)).isEqualTo(canonical);
        assertThat(Networks.postfixPattern(input)).isEqualTo(postfix);
    }

    /**
     * Regression: the value used to be normalized twice, and the second pass refused the first
     * one's output.
     */
    @ParameterizedTest
    @CsvSource({"2001:db8::/32", "2001:DB8::5", "10.0.0.0/8", "fd00::/8"})
    void normalizingIsIdempotent(String input) {
        String once = Networks.normalizeCidr("acceptFrom[0]", input);
        assertThat(Networks.normalizeCidr("acceptFrom[0]", once)).isEqualTo(once);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.1.2.3/8|\"10.1.2.3/8\" is not a valid network: host bits are set; did you mean 10.0.0.0/8?",
                "2001:db8::1/32|\"2001:db8::1/32\" is not a valid network: host bits are set; did you mean 2001:db8::/32?",
                "10.0.0.0/33|\"10.0.0.0/33\" is not a valid network: prefix length 33 is larger than 32",
                "2001:db8::/129|\"2001:db8::/129\" is not a valid network: prefix length 129 is larger than 128",
                "0.0.0.0/0|\"0.0.0.0/0\" is not a valid network: a prefix length of 0 would accept mail from every address",
                "::/0|\"::/0\" is not a valid network: a prefix length of 0 would accept mail from every address",
                "10.0.0.0/|\"10.0.0.0/\" is not a valid network: prefix length must be a number from 1 to 32",
                "10.0.0.0/-8|\"10.0.0.0/-8\" is not a valid network: prefix length must be a number from 1 to 32",
                "10.0.0.0/8/8|\"10.0.0.0/8/8\" is not a valid network: prefix length must be a number from 1 to 32",
                "10.0.0/8|\"10.0.0/8\" is not a valid network: not an IPv4 or IPv6 address",
                "example.com/24|\"example.com/24\" is not a valid network: not an IPv4 or IPv6 address",
                "[2001:db8::]/32|\"[2001:db8::]/32\" is not a valid network: "
                        + "write the network without brackets, like 2001:db8::/32",
                "10.0.0.0/8 192.168.0.0/16|\"10.0.0.0/8 192.168.0.0/16\" is not a valid network: contains whitespace",
                "10.0.0.0/8,192.168.0.0/16|\"10.0.0.0/8,192.168.0.0/16\" is not a valid network: "
                        + "contains a comma; list each network separately",
            })
    void rejectsInvalidNetworks(String input, String reason) {
        assertThatThrownBy(() -> Networks.normalizeCidr("acceptFrom[2]", input))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("acceptFrom[2]: " + reason);
    }

    @Test
    void rejectsLineBreaksSoNothingCanBeAppendedToMainCf() {
        assertThatThrownBy(
                        () ->
                                Networks.normalizeCidr(
                                        "acceptFrom[0]", "10.0.0.0/8\nrelayhost = evil"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "acceptFrom[0]: \"10.0.0.0/8\\nrelayhost = evil\" is not a valid network: "
                                + "contains a line break");
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> Networks.normalizeCidr("acceptFrom[0]", ""))
                .hasMessage("acceptFrom[0]: must not be empty");
        assertThatThrownBy(() -> Networks.normalizeCidr("acceptFrom[0]", null))
                .hasMessage("acceptFrom[0]: must not be empty");
    }

    @Test
    void twoHalvesOfTheIpv4InternetAreRefusedTogether() {
        assertThatThrownBy(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom", List.of("0.0.0.0/1", "128.0.0.0/1")))
                .isInstanceOf(PostfixInputException.class)
                .hasMessageStartingWith("acceptFrom: together the networks cover ")
                .hasMessageContaining(
                        "publicly routable IPv4 addresses; at most 65536 (a /16) are allowed");
    }

    @Test
    void manySmallPublicNetworksAddUp() {
        List<String> seventeenSlash20s = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            seventeenSlash20s.add("44." + (i * 16 / 256) + "." + (i * 16 % 256) + ".0/20");
        }
        // 17 x /20 = 69632 public addresses, just over a /16
        assertThatThrownBy(() -> Networks.requireLimitedReach("acceptFrom", seventeenSlash20s))
                .hasMessageContaining("cover 69632 publicly routable IPv4 addresses");
        assertThatCode(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom", seventeenSlash20s.subList(0, 16)))
                .doesNotThrowAnyException();
    }

    @Test
    void overlappingNetworksAreCountedOnce() {
        assertThatCode(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom",
                                        List.of(
                                                "44.1.0.0/16",
                                                "44.1.0.0/17",
                                                "44.1.128.0/17",
                                                "44.1.2.3/32")))
                .doesNotThrowAnyException();
        assertThatThrownBy(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom", List.of("44.1.0.0/16", "44.2.0.0/32")))
                .hasMessageContaining("cover 65537 publicly routable IPv4 addresses");
    }

    @Test
    void privateAndClusterRangesAreNotLimited() {
        assertThatCode(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom",
                                        List.of(
                                                "10.0.0.0/8",
                                                "172.16.0.0/12",
                                                "192.168.0.0/16",
                                                "100.64.0.0/10",
                                                "fc00::/7",
                                                "fe80::/10",
                                                "2001:db8::/32",
                                                "44.1.0.0/16",
                                                "2a00:1450:4001::/48")))
                .doesNotThrowAnyException();
    }

    @Test
    void aPublicPrefixStretchingBeyondPrivateSpaceIsCountedOnItsPublicPart() {
        // 8.0.0.0/7 = 8.0.0.0/8 (public) + 9.0.0.0/8 (public); 10.0.0.0/7 = 10/8 (private) + 11/8
        // (public)
        assertThatThrownBy(() -> Networks.requireLimitedReach("acceptFrom", List.of("10.0.0.0/7")))
                .hasMessageContaining("cover 16777216 publicly routable IPv4 addresses");
    }

    @Test
    void ipv6IsLimitedToASiteSizedPublicPrefix() {
        assertThatThrownBy(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom", List.of("2a00:1450:4000::/47")))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "acceptFrom: together the networks cover more globally routable IPv6 space than a /48"
                                + " (2^81 or more addresses); at most a /48 is allowed, because every client in acceptFrom"
                                + " may relay mail to any domain");
        assertThatThrownBy(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom", List.of("::/1", "8000::/1")))
                .hasMessageContaining("globally routable IPv6");
        assertThatThrownBy(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom",
                                        List.of("2a00:1450:4001::/48", "2a00:1450:4002::/128")))
                .hasMessageContaining("globally routable IPv6");
        // ::ffff:0:0/96 is every IPv4 address written as IPv6 (RFC 4291 section 2.5.5.2)
        assertThatThrownBy(
                        () ->
                                Networks.requireLimitedReach(
                                        "acceptFrom", List.of("::ffff:0.0.0.0/96")))
                .hasMessage(
                        "acceptFrom: \"::ffff:0.0.0.0/96\" is not a valid network: an IPv4-mapped IPv6 network;"
                                + " write the IPv4 network instead");
    }
}
