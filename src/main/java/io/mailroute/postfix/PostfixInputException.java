package io.mailroute.postfix;

import java.util.Objects;

/**
 * Rejected user input, reported as {@code field: reason} so that it can be shown to the person who
 * wrote the resource. Reasons are written for end users and never contain secret values such as
 * passwords.
 */
public final class PostfixInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;

    /**
     * @param field path of the offending input, e.g. {@code domains[1]}
     * @param reason why it was rejected, e.g. {@code "foo bar" is not a valid domain name: contains
     *     whitespace}
     */
    public PostfixInputException(String field, String reason) {
        super(
                Objects.requireNonNull(field, "field")
                        + ": "
                        + Objects.requireNonNull(reason, "reason"));
        this.field = field;
        this.reason = reason;
    }

    /** Path of the offending input, e.g. {@code domains[1]}. */
    public String field() {
        return field;
    }

    /** Why the input was rejected, without the field name. */
    public String reason() {
        return reason;
    }
}
