package io.mailroute.command;

/** A command line that cannot be run as written; reported with the usage text and exit code 64. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
