package io.mailroute.dns;

import java.net.IDN;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Turns user input into absolute DNS names (shown by {@link DomainName#text}). */
final class DnsNames {

    private DnsNames() {}

    /**
     * Parses a domain or host name as an absolute name (a trailing dot is optional; no search list
     * is ever applied). Internationalized names are converted to their ASCII form.
     *
     * @throws IllegalArgumentException if the input is not a valid domain name
     */
    static DomainName absolute(String input) {
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
        // the usual host name: letters, digits, '-', '_' and dots, read without a parser
        DomainName plain = DomainName.plain(s);
        if (plain != null) {
            return plain;
        }
        try {
            // IDN.toASCII leaves an all-ASCII name as it is (it only checks label lengths, which
            // Name.fromString checks too): skip it for ASCII names (escapes, say)
            String ascii = isAscii(s) ? s : IDN.toASCII(s, IDN.ALLOW_UNASSIGNED);
            // toWireCanonical: a fresh, lower-cased array the name can keep
            return DomainName.canonical(Name.fromString(ascii + ".").toWireCanonical());
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
}
