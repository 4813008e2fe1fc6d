package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NextHopTest {

    @ParameterizedTest
    @CsvSource({
        "outlook-com.olc.protection.outlook.com, 25, false, [outlook-com.olc.protection.outlook.com]:25",
        "Smtp.Example.COM., 587, false, [smtp.example.com]:587",
        "mail.example.net, 25, true, mail.example.net:25",
        "example.net, 2525, true, example.net:2525",
        "192.0.2.10, 25, false, [192.0.2.10]:25",
        "2001:DB8::0:1, 25, false, [ipv6:2001:db8::1]:25",
    })
    void rendersPostfixDestination(String host, int port, boolean lookupMx, String destination) {
        assertThat(NextHop.of("nextHops[0]", host, port, lookupMx).postfixDestination())
                .isEqualTo(destination);
    }

    @Test
    void storesTheNormalizedHost() {
        assertThat(new NextHop("MX.Example.COM.", 25, false).host()).isEqualTo("mx.example.com");
        assertThat(new NextHop("MX.Example.COM.", 25, false))
                .isEqualTo(new NextHop("mx.example.com", 25, false));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536, 100000})
    void rejectsPortsOutOfRange(int port) {
        assertThatThrownBy(() -> NextHop.of("spec.nextHops[1]", "mx.example.com", port, false))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "spec.nextHops[1]: port "
                                + port
                                + " is out of range, it must be 1 to 65535");
    }

    @Test
    void acceptsPortBounds() {
        assertThat(NextHop.of("h", "mx.example.com", 1, false).port()).isEqualTo(1);
        assertThat(NextHop.of("h", "mx.example.com", 65535, false).port()).isEqualTo(65535);
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.10, 192.0.2.10", "2001:db8::1, 2001:db8::1"})
    void rejectsMxLookupForIpLiterals(String host, String shown) {
        assertThatThrownBy(() -> NextHop.of("spec.nextHops[0]", host, 25, true))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "spec.nextHops[0]: MX lookup is not possible for the IP address " + shown);
    }

    @Test
    void reportsHostErrorsUnderTheGivenFieldOrNextHopByDefault() {
        assertThatThrownBy(() -> NextHop.of("spec.nextHops[2]", "mx example.com", 25, false))
                .hasMessage(
                        "spec.nextHops[2]: \"mx example.com\" is not a valid host name or IP address: "
                                + "contains whitespace");
        assertThatThrownBy(() -> new NextHop("mx,example.com", 25, false))
                .hasMessage(
                        "nextHop: \"mx,example.com\" is not a valid host name or IP address: "
                                + "contains a comma; list each domain separately");
    }
}
