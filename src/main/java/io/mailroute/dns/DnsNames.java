package io.mailroute.dns;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Turns user input into absolute DNS names and names back into display strings. */
final class DnsNames {

    private DnsNames() {}

    /**
     * Parses a domain or host name as an absolute name (a trailing dot is optional; no search list
     * is ever applied). Internationalized names are converted to their ASCII form.
     *
     * @throws IllegalArgumentException if the input is not a valid domain name
     */
    static Name absolute(String input) {
        if (input == null || input.isBlank()) {
            throw new IllegalArgumentException("domain name is empty");
        }
        String s = input.trim();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("the root is not a mail domain: " + input);
        }
        try {
            // IDN.toASCII leaves an all-ASCII name as it is (it only checks label lengths, which
            // Name.fromString checks too): skip it for the usual ASCII name
            String ascii = isAscii(s) ? s : IDN.toASCII(s, IDN.ALLOW_UNASSIGNED);
            return Name.fromString(ascii + ".");
        } catch (IllegalArgumentException | TextParseException e) {
            throw new IllegalArgumentException("not a valid domain name: " + input, e);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Lower-case name without the final dot; the root is ".". */
    static String display(Name name) {
        if (name.equals(Name.root)) {
            return ".";
        }
        String fast = plainDisplay(name);
        return fast != null ? fast : name.toString(true).toLowerCase(Locale.ROOT);
    }

    /**
     * {@link #display} straight from the wire form for absolute names of letters, digits, '-' and
     * '_' (nothing that {@code Name.toString} escapes), else null. A check displays its domain, its
     * MX hosts and every question asked; {@code toString} builds a string per label first.
     */
    private static String plainDisplay(Name name) {
        if (!name.isAbsolute()) {
            return null;
        }
        // lower case, a fresh array (toWire goes through a DNSOutput); its length bytes are
        // overwritten with the dots in place, so the string is copied straight from it
        byte[] wire = name.toWireCanonical();
        int i = 0;
        while (i < wire.length) {
            int length = wire[i] & 0xff;
            if (length == 0) {
                break;
            }
            wire[i++] = '.';
            for (int end = i + length; i < end; i++) {
                int b = wire[i] & 0xff;
                if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_')) {
                    return null;
                }
            }
        }
        return new String(wire, 1, i - 1, StandardCharsets.US_ASCII);
    }
}
