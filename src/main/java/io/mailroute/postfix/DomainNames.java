package io.mailroute.postfix;

import java.net.IDN;
import java.util.Locale;

/**
 * Validates and normalizes domain names and next-hop hosts before they are written into Postfix
 * files.
 *
 * <p>A valid result is lowercase ASCII made only of letters, digits, hyphens and dots, so it can
 * never carry whitespace, commas, {@code #} or line breaks into a generated file. Internationalized
 * names are converted to punycode ({@code bücher.example} becomes {@code xn--bcher-kva.example})
 * and one trailing dot is dropped. Single-label names and names whose top-level label is all digits
 * are rejected, which also keeps IPv4 addresses out of domain fields.
 */
public final class DomainNames {

    private static final int MAX_LABEL = 63;
    private static final int MAX_NAME = 253;

    private DomainNames() {}

    /**
     * Normalizes a recipient domain.
     *
     * @param field path reported in the exception, e.g. {@code domains[1]}
     * @throws PostfixInputException when {@code input} is not a valid multi-label domain name
     */
    public static String normalize(String field, String input) {
        return isNormalName(input) ? input : normalizeFully(field, input);
    }

    /** {@link #normalize} without the shortcut for names that are already normal. */
    static String normalizeFully(String field, String input) {
        if (input != null && IpAddress.parseOrNull(input) != null) {
            throw new PostfixInputException(
                    field,
                    Inputs.quote(input) + " is not a valid domain name: it is an IP address");
        }
        return toAscii(field, input, "domain name");
    }

    /**
     * Normalizes a next-hop host: a domain name (same rules as {@link #normalize}) or an IPv4/IPv6
     * literal without brackets, returned in canonical form ({@code 2001:DB8:0::1} becomes {@code
     * 2001:db8::1}).
     *
     * @throws PostfixInputException when {@code input} is neither
     */
    public static String normalizeHost(String field, String input) {
        return isNormalName(input) ? input : normalizeHostFully(field, input);
    }

    /** {@link #normalizeHost} without the shortcut for names that are already normal. */
    static String normalizeHostFully(String field, String input) {
        IpAddress address = IpAddress.parseOrNull(input);
        if (address != null) {
            return address.canonical();
        }
        String what = "host name or IP address";
        if (input != null && !input.isEmpty()) {
            if (input.startsWith("[") || input.endsWith("]")) {
                throw new PostfixInputException(
                        field,
                        Inputs.quote(input)
                                + " is not a valid "
                                + what
                                + ": remove the brackets, they are added when MX lookup is disabled");
            }
            if (input.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
                throw new PostfixInputException(
                        field,
                        Inputs.quote(input)
                                + " is not a valid "
                                + what
                                + ": not a valid IPv4 address");
            }
            if (input.indexOf(':') >= 0 && input.chars().allMatch(DomainNames::isIpv6Character)) {
                throw new PostfixInputException(
                        field,
                        Inputs.quote(input)
                                + " is not a valid "
                                + what
                                + ": not a valid IPv6 address");
            }
        }
        return toAscii(field, input, what);
    }

    /**
     * True when {@code input} is already a normalized multi-label domain name, which {@link
     * #normalize} and {@link #normalizeHost} then return unchanged: one pass over the characters
     * instead of the full checks (splitting, IDN, IP literal parsing), which were a quarter of the
     * time of planning a relay of 100,000 one-domain routes (each domain and next hop is normalized
     * by the translator and again by the records it builds). It accepts only what the full checks
     * accept and return as is: lowercase ASCII letters, digits, hyphens and dots; 2+ labels of 1 to
     * 63 characters, none starting or ending with a hyphen; at most 253 characters; a top-level
     * label that is not all digits (so no IPv4 literal); no trailing dot. Anything else, valid or
     * not, takes the full path, so the results and error messages are unchanged.
     */
    static boolean isNormalName(String input) {
        if (input == null) {
            return false;
        }
        int length = input.length();
        if (length == 0 || length > MAX_NAME) {
            return false;
        }
        int labels = 0;
        int labelStart = 0;
        boolean labelAllDigits = true;
        for (int i = 0; i <= length; i++) {
            char c = i < length ? input.charAt(i) : '.';
            if (c == '.') {
                int labelLength = i - labelStart;
                if (labelLength == 0
                        || labelLength > MAX_LABEL
                        || input.charAt(labelStart) == '-'
                        || input.charAt(i - 1) == '-') {
                    return false;
                }
                labels++;
                if (i == length) {
                    break;
                }
                labelStart = i + 1;
                labelAllDigits = true;
            } else if (c >= '0' && c <= '9') {
                continue;
            } else if ((c >= 'a' && c <= 'z') || c == '-') {
                labelAllDigits = false;
            } else {
                return false;
            }
        }
        return labels >= 2 && !labelAllDigits;
    }

    /** True when {@code text} is an IPv4 or IPv6 address literal (without brackets or zone id). */
    public static boolean isIpLiteral(String text) {
        return IpAddress.parseOrNull(text) != null;
    }

    private static boolean isIpv6Character(int c) {
        return c == ':' || c == '.' || Character.digit(c, 16) >= 0 && c <= 'f';
    }

    private static String toAscii(String field, String input, String what) {
        if (input == null || input.isEmpty()) {
            throw new PostfixInputException(field, "must not be empty");
        }
        String problem = forbiddenCharacterProblem(input);
        if (problem == null) {
            try {
                return checkStructure(unifyDots(input));
            } catch (InvalidName e) {
                problem = e.getMessage();
            }
        }
        throw new PostfixInputException(
                field, Inputs.quote(input) + " is not a valid " + what + ": " + problem);
    }

    private static String forbiddenCharacterProblem(String input) {
        String invisible = Inputs.invisibleCharacterProblem(input);
        if (invisible != null) {
            return invisible;
        }
        for (int i = 0; i < input.length(); i++) {
            switch (input.charAt(i)) {
                case ',':
                    return "contains a comma; list each domain separately";
                case ':':
                    return "contains a colon; a port is not part of a name";
                case '[':
                case ']':
                    return "contains a bracket";
                case '@':
                    return "contains '@'; give a domain, not an e-mail address";
                case '/':
                    return "contains '/'";
                case '*':
                    return "contains '*'; wildcards are not supported, include subdomains instead";
                default:
                    break;
            }
        }
        return null;
    }

    /** IDNA treats the ideographic and fullwidth full stops as label separators too. */
    private static String unifyDots(String input) {
        return input.replace('\u3002', '.').replace('\uff0e', '.').replace('\uff61', '.');
    }

    private static String checkStructure(String name) throws InvalidName {
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty()) {
            throw new InvalidName("has no labels");
        }
        String[] labels = name.split("\\.", -1);
        StringBuilder ascii = new StringBuilder();
        for (String label : labels) {
            if (label.isEmpty()) {
                throw new InvalidName("contains an empty label (leading dot or two dots in a row)");
            }
            if (ascii.length() > 0) {
                ascii.append('.');
            }
            ascii.append(labelToAscii(label));
        }
        if (labels.length < 2) {
            throw new InvalidName("needs at least two labels, like example.com");
        }
        String tld = labels[labels.length - 1];
        if (tld.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidName("top-level label \"" + tld + "\" is all digits");
        }
        if (ascii.length() > MAX_NAME) {
            throw new InvalidName(
                    "is " + ascii.length() + " characters long, the maximum is " + MAX_NAME);
        }
        return ascii.toString();
    }

    private static String labelToAscii(String label) throws InvalidName {
        String ascii = label;
        if (!label.chars().allMatch(c -> c < 0x80)) {
            try {
                ascii = IDN.toASCII(label, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                throw new InvalidName(
                        "label \"" + label + "\" is not a valid internationalized label");
            }
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        for (int i = 0; i < ascii.length(); i++) {
            char c = ascii.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                throw new InvalidName(
                        "contains '" + c + "'; only letters, digits, hyphens and dots are allowed");
            }
        }
        if (ascii.length() > MAX_LABEL) {
            throw new InvalidName(
                    "label \""
                            + ascii.substring(0, 20)
                            + "...\" is "
                            + ascii.length()
                            + " characters long, the maximum is "
                            + MAX_LABEL);
        }
        if (ascii.startsWith("-")) {
            throw new InvalidName("label \"" + ascii + "\" starts with a hyphen");
        }
        if (ascii.endsWith("-")) {
            throw new InvalidName("label \"" + ascii + "\" ends with a hyphen");
        }
        return ascii;
    }

    /**
     * Internal signal carrying a reason; converted to {@link PostfixInputException} with the field
     * name.
     */
    private static final class InvalidName extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidName(String reason) {
            super(reason, null, false, false);
        }
    }
}
