package io.mailroute.dns;

import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Address;

/**
 * Recognizes names that are really IP addresses, such as an MX exchange "192.0.2.1" or
 * "[192.0.2.1]". RFC 5321 forbids them as MX targets; mailers either fail or, worse, look them up.
 */
final class IpLiteral {

    private IpLiteral() {}

    /** The address written in {@code host} (display form), if the whole name is one. */
    static Optional<String> parse(String host) {
        String s = host.replace("\\", "");
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.toLowerCase(Locale.ROOT).startsWith("ipv6:")) {
            s = s.substring(5);
        }
        if (Address.isDottedQuad(s) && s.chars().filter(c -> c == '.').count() == 3) {
            return Optional.of(s);
        }
        if (s.contains(":") && Address.toByteArray(s, Address.IPv6) != null) {
            return Optional.of(s);
        }
        return Optional.empty();
    }
}
