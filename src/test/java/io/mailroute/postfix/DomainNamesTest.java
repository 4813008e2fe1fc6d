package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainNamesTest {

    @ParameterizedTest
    @CsvSource({
        "outlook.com, outlook.com",
        "Outlook.COM, outlook.com",
        "outlook.com., outlook.com",
        "bücher.example, xn--bcher-kva.example",
        "BÜCHER.example., xn--bcher-kva.example",
        "mx1.sub-domain.example.org, mx1.sub-domain.example.org",
        "xn--bcher-kva.example, xn--bcher-kva.example",
        "example.com2, example.com2",
        "例え.テスト, xn--r8jz45g.xn--zckzah",
        "bücher。example, xn--bcher-kva.example",
    })
    void normalizesValidDomains(String input, String expected) {
        assertThat(DomainNames.normalize("domains[0]", input)).isEqualTo(expected);
    }

    static Stream<Arguments> invalidDomains() {
        String label64 = "a".repeat(64);
        String name254 =
                ("a".repeat(62) + ".").repeat(4)
                        + "com"; // four 62-character labels and "com": 255 characters
        return Stream.of(
                Arguments.of(null, "must not be empty"),
                Arguments.of("", "must not be empty"),
                Arguments.of(
                        "foo bar", "\"foo bar\" is not a valid domain name: contains whitespace"),
                Arguments.of(
                        "foo\tbar.com",
                        "\"foo\\tbar.com\" is not a valid domain name: contains whitespace"),
                Arguments.of(
                        "example.com\nrelayhost = evil",
                        "\"example.com\\nrelayhost = evil\" is not a valid domain name: contains a line break"),
                Arguments.of(
                        "exa\u0000mple.com",
                        "\"exa\\u0000mple.com\" is not a valid domain name: contains a control character"),
                Arguments.of(
                        "a.com,b.com",
                        "\"a.com,b.com\" is not a valid domain name: contains a comma; list each domain separately"),
                Arguments.of(
                        "example.com:25",
                        "\"example.com:25\" is not a valid domain name: contains a colon; a port is not part of a name"),
                Arguments.of(
                        "[example.com]",
                        "\"[example.com]\" is not a valid domain name: contains a bracket"),
                Arguments.of(
                        "user@example.com",
                        "\"user@example.com\" is not a valid domain name: "
                                + "contains '@'; give a domain, not an e-mail address"),
                Arguments.of(
                        "example.com/x",
                        "\"example.com/x\" is not a valid domain name: contains '/'"),
                Arguments.of(
                        "*.example.com",
                        "\"*.example.com\" is not a valid domain name: "
                                + "contains '*'; wildcards are not supported, include subdomains instead"),
                Arguments.of(
                        "exa#mple.com",
                        "\"exa#mple.com\" is not a valid domain name: "
                                + "contains '#'; only letters, digits, hyphens and dots are allowed"),
                Arguments.of(
                        "exa_mple.com",
                        "\"exa_mple.com\" is not a valid domain name: "
                                + "contains '_'; only letters, digits, hyphens and dots are allowed"),
                Arguments.of(
                        "a..b.com",
                        "\"a..b.com\" is not a valid domain name: "
                                + "contains an empty label (leading dot or two dots in a row)"),
                Arguments.of(
                        ".example.com",
                        "\".example.com\" is not a valid domain name: "
                                + "contains an empty label (leading dot or two dots in a row)"),
                Arguments.of(
                        "example.com..",
                        "\"example.com..\" is not a valid domain name: "
                                + "contains an empty label (leading dot or two dots in a row)"),
                Arguments.of(".", "\".\" is not a valid domain name: has no labels"),
                Arguments.of(
                        label64 + ".com",
                        "\""
                                + label64
                                + ".com\" is not a valid domain name: label \"aaaaaaaaaaaaaaaaaaaa...\" is 64 characters long, "
                                + "the maximum is 63"),
                Arguments.of(
                        name254,
                        "\""
                                + name254.substring(0, 80)
                                + "...\" is not a valid domain name: "
                                + "is 255 characters long, the maximum is 253"),
                Arguments.of(
                        "-example.com",
                        "\"-example.com\" is not a valid domain name: "
                                + "label \"-example\" starts with a hyphen"),
                Arguments.of(
                        "example-.com",
                        "\"example-.com\" is not a valid domain name: "
                                + "label \"example-\" ends with a hyphen"),
                Arguments.of(
                        "localhost",
                        "\"localhost\" is not a valid domain name: "
                                + "needs at least two labels, like example.com"),
                Arguments.of(
                        "example.123",
                        "\"example.123\" is not a valid domain name: "
                                + "top-level label \"123\" is all digits"),
                Arguments.of(
                        "192.0.2.1",
                        "\"192.0.2.1\" is not a valid domain name: it is an IP address"),
                Arguments.of(
                        "999.0.2.1",
                        "\"999.0.2.1\" is not a valid domain name: top-level label \"1\" is all digits"),
                Arguments.of(
                        "b\u00fccher\u00a0x.example",
                        "\"b\u00fccher\\u00a0x.example\" is not a valid domain name: "
                                + "contains whitespace"));
    }

    @ParameterizedTest
    @MethodSource("invalidDomains")
    void rejectsInvalidDomainsWithReadableReason(String input, String reason) {
        assertThatThrownBy(() -> DomainNames.normalize("domains[1]", input))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("domains[1]: " + reason)
                .satisfies(
                        e -> {
                            PostfixInputException pie = (PostfixInputException) e;
                            assertThat(pie.field()).isEqualTo("domains[1]");
                            assertThat(pie.reason()).isEqualTo(reason);
                            assertThat(pie.getMessage()).doesNotContain("\n");
                        });
    }

    @Test
    void acceptsLongestLegalLabelAndName() {
        String label63 = "a".repeat(63);
        assertThat(DomainNames.normalize("d", label63 + ".com")).isEqualTo(label63 + ".com");
        String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
        assertThat(name253).hasSize(253);
        assertThat(DomainNames.normalize("d", name253 + ".")).isEqualTo(name253);
    }

    @ParameterizedTest
    @CsvSource({
        "outlook-com.olc.protection.outlook.com, outlook-com.olc.protection.outlook.com",
        "MX1.Example.COM., mx1.example.com",
        "192.0.2.1, 192.0.2.1",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
        "::1, ::1",
        "::, ::",
        "2001:db8::1:0, 2001:db8::1:0",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "2001:db8:1:2:3:4:0:5, 2001:db8:1:2:3:4:0:5",
        "::ffff:192.0.2.1, ::ffff:c000:201",
    })
    void normalizesHostsToCanonicalForm(String input, String expected) {
        assertThat(DomainNames.normalizeHost("nextHops[0]", input)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[192.0.2.1]|\"[192.0.2.1]\" is not a valid host name or IP address: "
                        + "remove the brackets, they are added when MX lookup is disabled",
                "192.0.2.256|\"192.0.2.256\" is not a valid host name or IP address: not a valid IPv4 address",
                "192.0.2|\"192.0.2\" is not a valid host name or IP address: not a valid IPv4 address",
                "192.0.02.1|\"192.0.02.1\" is not a valid host name or IP address: not a valid IPv4 address",
                "2001:db8::1::2|\"2001:db8::1::2\" is not a valid host name or IP address: not a valid IPv6 address",
                "2001:db8:1:2:3:4:5:6:7|\"2001:db8:1:2:3:4:5:6:7\" is not a valid host name or IP address: "
                        + "not a valid IPv6 address",
                "12345::1|\"12345::1\" is not a valid host name or IP address: not a valid IPv6 address",
                "fe80::1%eth0|\"fe80::1%eth0\" is not a valid host name or IP address: contains a colon; "
                        + "a port is not part of a name",
                "mx.example.com:25|\"mx.example.com:25\" is not a valid host name or IP address: contains a colon; "
                        + "a port is not part of a name",
                "mail|\"mail\" is not a valid host name or IP address: needs at least two labels, like example.com",
            })
    void rejectsInvalidHosts(String input, String reason) {
        assertThatThrownBy(() -> DomainNames.normalizeHost("nextHops[0]", input))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("nextHops[0]: " + reason);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "192.0.2.1",
                "0.0.0.0",
                "255.255.255.255",
                "::1",
                "2001:db8::",
                "::ffff:10.0.0.1"
            })
    void recognizesIpLiterals(String text) {
        assertThat(DomainNames.isIpLiteral(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "example.com",
                "[192.0.2.1]",
                "1.2.3",
                "01.2.3.4",
                "1.2.3.4.5",
                "::1%lo",
                "2001:db8::g",
                "1.2.3.4/32",
                ":::",
                "1:2:3:4:5:6:7::8:9",
                "1::2::3",
                ":1::2",
                "1::2:"
            })
    void rejectsNonLiterals(String text) {
        assertThat(DomainNames.isIpLiteral(text)).isFalse();
    }

    /**
     * The shortcut for names that are already normal ({@link DomainNames#isNormalName}) must give
     * what the full checks give, for valid and invalid input alike: random names over an alphabet
     * that reaches every check (case, IDN, IP literals, hyphens, digits, dots, lengths).
     */
    @Test
    void shortcutForNormalNamesAgreesWithTheFullChecks() {
        java.util.Random random = new java.util.Random(20261130);
        String[] pieces = {
            "a",
            "z",
            "x",
            "0",
            "9",
            "1",
            "-",
            ".",
            "..",
            "A",
            "ü",
            ":",
            "_",
            "xn--",
            "mx",
            "com",
            "255",
            "192.0.2.1",
            "2001:db8::1",
            " ",
            "a".repeat(63),
            "b".repeat(64),
            "[",
            "。"
        };
        // every other name is drawn from the pieces of already normal names only
        int plain = 7;
        int shortcut = 0;
        for (int n = 0; n < 5_000; n++) {
            StringBuilder name = new StringBuilder();
            int choices = n % 2 == 0 ? plain : pieces.length;
            for (int parts = 1 + random.nextInt(8); parts > 0; parts--) {
                name.append(pieces[random.nextInt(choices)]);
                if (random.nextInt(3) == 0) {
                    name.append('.');
                }
            }
            String input = name.toString();
            if (DomainNames.isNormalName(input)) {
                shortcut++;
            }
            assertThat(outcome(() -> DomainNames.normalize("d", input)))
                    .as("normalize(%s)", input)
                    .isEqualTo(outcome(() -> DomainNames.normalizeFully("d", input)));
            assertThat(outcome(() -> DomainNames.normalizeHost("d", input)))
                    .as("normalizeHost(%s)", input)
                    .isEqualTo(outcome(() -> DomainNames.normalizeHostFully("d", input)));
        }
        // the inputs reached the shortcut often enough for the comparison to mean something
        assertThat(shortcut).isGreaterThan(300);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "a.b",
                "mx1.sub-domain.example.org",
                "xn--bcher-kva.example",
                "example.com2",
                "1.2.3.a"
            })
    void normalNamesTakeTheShortcut(String input) {
        assertThat(DomainNames.isNormalName(input)).isTrue();
        assertThat(DomainNames.normalizeFully("d", input)).isEqualTo(input);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Example.com",
                "example.com.",
                "example",
                "1.2.3.4",
                "example.123",
                "-a.example",
                "a-.example",
                "a..example",
                ".example.com",
                "bücher.example",
                "a_b.example",
                "2001:db8::1"
            })
    void otherNamesTakeTheFullChecks(String input) {
        assertThat(DomainNames.isNormalName(input)).isFalse();
    }

    /** The value returned, or the message of the exception thrown. */
    private static String outcome(java.util.function.Supplier<String> call) {
        try {
            return "value " + call.get();
        } catch (PostfixInputException e) {
            return "error " + e.getMessage();
        }
    }
}
