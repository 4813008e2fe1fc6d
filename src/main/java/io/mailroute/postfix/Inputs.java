package io.mailroute.postfix;

/** Small helpers shared by the validators: quoting user input safely inside error messages. */
final class Inputs {

    /** Longest part of a user value echoed back in an error message. */
    private static final int MAX_ECHO = 80;

    private Inputs() {}

    /**
     * Quotes a user value for an error message: control, format (bidi) and separator characters are
     * escaped so the message stays on one line and reads as it is (see {@link SafeText}), and very
     * long values are shortened.
     */
    static String quote(String value) {
        return SafeText.quote(value, MAX_ECHO);
    }

    /**
     * Describes the first line break, control character or whitespace in {@code value}, or returns
     * null.
     */
    static String invisibleCharacterProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r') {
                return "contains a line break";
            }
            if (c == '\t' || c == ' ' || Character.isSpaceChar(c)) {
                return "contains whitespace";
            }
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                return "contains a control character";
            }
        }
        return null;
    }

    /**
     * Validates the name of a Kubernetes object (or {@code namespace/name}) that is written into
     * comments of the generated files, so it can never break out of its comment line.
     */
    static String requireObjectName(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new PostfixInputException(field, "must not be empty");
        }
        if (value.length() > 320) {
            throw new PostfixInputException(
                    field, "is " + value.length() + " characters long, the maximum is 320");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '-'
                            || c == '.'
                            || c == '_'
                            || c == '/';
            if (!allowed) {
                throw new PostfixInputException(
                        field,
                        quote(value)
                                + " is not a valid object name: only letters, digits, '-', '.', '_' and '/' are allowed");
            }
        }
        return value;
    }
}
