package io.mailroute.postfix;

/**
 * Validates client networks for Postfix {@code mynetworks}.
 *
 * <p>Accepted: {@code 10.0.0.0/8}, a bare IPv4 address (treated as {@code /32}), {@code 2001:db8::/32} and a bare
 * IPv6 address (treated as {@code /128}). Returned in Postfix syntax: {@code 10.0.0.0/8}, {@code [2001:db8::]/32}.
 *
 * <p>Decisions: a network whose host bits are set ({@code 10.1.2.3/8}) is rejected with the intended network as
 * a hint: Postfix treats such a pattern as a lookup error (mail is deferred) and the intent is ambiguous.
 * A prefix length of 0 is rejected because it would make this an open relay for every client that can reach it.
 */
public final class Networks {

    private Networks() {
    }

    /**
     * Normalizes one CIDR entry.
     *
     * @param field path reported in the exception, e.g. {@code acceptFrom[0]}
     * @throws PostfixInputException when {@code input} is not an acceptable network
     */
    public static String normalizeCidr(String field, String input) {
        if (input == null || input.isEmpty()) {
            throw new PostfixInputException(field, "must not be empty");
        }
        String invisible = Inputs.invisibleCharacterProblem(input);
        if (invisible != null) {
            throw invalid(field, input, invisible);
        }
        if (input.indexOf(',') >= 0) {
            throw invalid(field, input, "contains a comma; list each network separately");
        }
        if (input.indexOf('[') >= 0 || input.indexOf(']') >= 0) {
            throw invalid(field, input, "write the network without brackets, like 2001:db8::/32");
        }
        int slash = input.indexOf('/');
        String addressText = slash < 0 ? input : input.substring(0, slash);
        IpAddress address = IpAddress.parseOrNull(addressText);
        if (address == null) {
            throw invalid(field, input, "not an IPv4 or IPv6 address");
        }
        int prefix = slash < 0 ? address.bitLength() : parsePrefix(field, input, input.substring(slash + 1),
                address.bitLength());
        if (prefix == 0) {
            throw invalid(field, input, "a prefix length of 0 would accept mail from every address");
        }
        if (address.hasHostBits(prefix)) {
            throw invalid(field, input, "host bits are set; did you mean " + address.network(prefix).canonical()
                    + "/" + prefix + "?");
        }
        String text = address.canonical();
        return (address.isV6() ? "[" + text + "]" : text) + "/" + prefix;
    }

    private static int parsePrefix(String field, String input, String prefixText, int maxPrefix) {
        if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(c -> c >= '0'
                && c <= '9')) {
            throw invalid(field, input, "prefix length must be a number from 1 to " + maxPrefix);
        }
        int prefix = Integer.parseInt(prefixText);
        if (prefix > maxPrefix) {
            throw invalid(field, input, "prefix length " + prefix + " is larger than " + maxPrefix);
        }
        return prefix;
    }

    private static PostfixInputException invalid(String field, String input, String why) {
        return new PostfixInputException(field, Inputs.quote(input) + " is not a valid network: " + why);
    }
}
