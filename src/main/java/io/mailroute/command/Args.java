package io.mailroute.command;

import java.util.List;

/** Small helpers for hand-parsed options. */
final class Args {
    private Args() {}

    /** The value after an option, or a usage error when it is missing. */
    static String value(List<String> args, int index, String option) {
        if (index >= args.size() || args.get(index).startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(index);
    }
}
