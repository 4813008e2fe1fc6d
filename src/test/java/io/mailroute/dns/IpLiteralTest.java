package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpLiteralTest {

    @Test
    void addressesWrittenAsNamesAreRecognized() {
        assertThat(IpLiteral.parse("192.0.2.1")).contains("192.0.2.1");
        assertThat(IpLiteral.parse("192.0.2.1.")).contains("192.0.2.1");
        assertThat(IpLiteral.parse("[192.0.2.1]")).contains("192.0.2.1");
        assertThat(IpLiteral.parse("\\[192.0.2.1\\]")).contains("192.0.2.1");
        assertThat(IpLiteral.parse("[IPv6:2001:db8::1]")).contains("2001:db8::1");
        assertThat(IpLiteral.parse("2001:db8::1")).contains("2001:db8::1");
    }

    @Test
    void hostNamesAreNotLiterals() {
        assertThat(IpLiteral.parse("mail.example.com")).isEmpty();
        assertThat(IpLiteral.parse("192.0.2.1.example.com")).isEmpty();
        assertThat(IpLiteral.parse("1.2.3")).isEmpty();
        assertThat(IpLiteral.parse("300.0.2.1")).isEmpty();
    }

    @Test
    void ipv6AddressesAreShownInCompressedForm() throws Exception {
        assertThat(AddressText.of(InetAddress.getByName("2001:db8:0:0:0:0:0:25")))
                .isEqualTo("2001:db8::25");
        assertThat(AddressText.of(InetAddress.getByName("2001:db8:0:1:0:0:0:1")))
                .isEqualTo("2001:db8:0:1::1");
        assertThat(AddressText.of(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(AddressText.of(InetAddress.getByName("192.0.2.1"))).isEqualTo("192.0.2.1");
    }
}
