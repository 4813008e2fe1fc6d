package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DnsNamesTest {

    @Test
    void namesAreAlwaysAbsoluteAndShownWithoutTheFinalDot() {
        assertThat(DnsNames.absolute("Example.COM").text()).isEqualTo("example.com");
        assertThat(DnsNames.absolute("example.com.")).isEqualTo(DnsNames.absolute("example.com"));
        assertThat(DnsNames.absolute("mail").text())
                .as("single label: no search list is appended")
                .isEqualTo("mail");
    }

    @Test
    void displayIsDnsjavasToStringLowerCasedWithoutTheFinalDot() throws Exception {
        for (String text :
                List.of(
                        "Example.COM.",
                        "mx-1.example.com.",
                        "_dmarc.Example.com.",
                        "a\\.b.example.",
                        "a\\032b.example.",
                        "*.example.",
                        "x\\@y.example.",
                        "\\200abc.example.")) {
            org.xbill.DNS.Name name = org.xbill.DNS.Name.fromString(text);
            String expected = name.toString(true).toLowerCase(java.util.Locale.ROOT);
            // read from the wire (as in an answer) and from the user's text
            byte[] wire = name.toWire();
            assertThat(DomainName.fromWire(wire, 0, wire.length).text())
                    .as(text)
                    .isEqualTo(expected);
            assertThat(DnsNames.absolute(text).text()).as(text).isEqualTo(expected);
        }
        assertThat(DomainName.ROOT.text()).isEqualTo(".");
    }

    @Test
    void internationalizedNamesAreLookedUpInAsciiForm() {
        assertThat(DnsNames.absolute("Bücher.example").text()).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void invalidNamesAreRejected() {
        for (String bad :
                List.of(
                        "",
                        " ",
                        ".",
                        "a..b",
                        "example.com..",
                        ".example.com",
                        "x".repeat(64) + ".example",
                        ("x".repeat(63) + ".").repeat(4) + "example")) {
            assertThatThrownBy(() -> DnsNames.absolute(bad))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
