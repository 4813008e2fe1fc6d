package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworksTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8",
            "192.168.1.0/24, 192.168.1.0/24",
            "192.0.2.7, 192.0.2.7/32",
            "192.0.2.7/32, 192.0.2.7/32",
            "2001:db8::/32, [2001:db8::]/32",
            "2001:DB8:0:0::/64, [2001:db8::]/64",
            "2001:db8::5, [2001:db8::5]/128",
            "fd00::/8, [fd00::]/8",
    })
    void rendersPostfixMynetworksSyntax(String input, String expected) {
        assertThat(Networks.normalizeCidr("acceptFrom[0]", input)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
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
        assertThatThrownBy(() -> Networks.normalizeCidr("acceptFrom[0]", "10.0.0.0/8\nrelayhost = evil"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("acceptFrom[0]: \"10.0.0.0/8\\nrelayhost = evil\" is not a valid network: "
                        + "contains a line break");
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> Networks.normalizeCidr("acceptFrom[0]", ""))
                .hasMessage("acceptFrom[0]: must not be empty");
        assertThatThrownBy(() -> Networks.normalizeCidr("acceptFrom[0]", null))
                .hasMessage("acceptFrom[0]: must not be empty");
    }
}
