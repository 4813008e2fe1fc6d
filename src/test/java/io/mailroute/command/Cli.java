package io.mailroute.command;

import io.mailroute.MailrouteMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs the jar's command line in this JVM and captures what it prints. */
final class Cli {
    private Cli() {}

    /** Exit code, stdout and stderr of one run. */
    record Run(int exit, String out, String err) {
        /** Everything printed, for assertion messages. */
        String all() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                MailrouteMain.run(
                        List.of(args),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code mailroute check --resolver R1 --resolver R2 ... ARGS...}. */
    static Run check(List<String> resolvers, String... args) {
        List<String> all = new ArrayList<>(List.of("check"));
        resolvers.forEach(r -> all.addAll(List.of("--resolver", r)));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }
}
