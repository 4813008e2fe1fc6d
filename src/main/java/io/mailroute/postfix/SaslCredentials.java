package io.mailroute.postfix;

/**
 * SMTP AUTH credentials for a next hop, written to {@code sasl_passwd} as {@code
 * username:password}.
 *
 * <p>Neither part may contain whitespace or control characters (Postfix map values end at the line
 * and are trimmed); the username may not contain a colon because the first colon separates it from
 * the password. The password may contain any other character. Error messages echo neither value (a
 * password may have been pasted into the username field) and {@link #toString()} redacts the
 * password.
 */
public record SaslCredentials(String username, String password) {

    private static final String DEFAULT_FIELD = "sasl";

    /** Validates; errors are reported under the field {@code sasl}. */
    public SaslCredentials {
        validate(DEFAULT_FIELD, username, password);
    }

    /**
     * Builds credentials, reporting invalid input under {@code field}, e.g. {@code spec.auth}.
     *
     * @throws PostfixInputException when either part is invalid
     */
    public static SaslCredentials of(String field, String username, String password) {
        validate(field, username, password);
        return new SaslCredentials(username, password);
    }

    /** The value written after the next-hop key in {@code sasl_passwd}. */
    String mapValue() {
        return username + ":" + password;
    }

    @Override
    public String toString() {
        return "SaslCredentials[username=" + username + ", password=<redacted>]";
    }

    private static void validate(String field, String username, String password) {
        check(field, "username", username);
        if (username.indexOf(':') >= 0) {
            throw new PostfixInputException(field, "username contains a colon");
        }
        check(field, "password", password);
    }

    private static void check(String field, String part, String value) {
        if (value == null || value.isEmpty()) {
            throw new PostfixInputException(field, part + " must not be empty");
        }
        String problem = Inputs.invisibleCharacterProblem(value);
        if (problem != null) {
            throw new PostfixInputException(field, part + " " + problem);
        }
    }
}
