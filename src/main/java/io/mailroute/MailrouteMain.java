package io.mailroute;

import io.mailroute.command.CheckCommand;
import io.mailroute.command.RenderCommand;
import io.mailroute.command.UsageException;
import io.mailroute.postfix.SafeText;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the jar. {@code check} and {@code render} run as command-line tools without
 * starting the operator or touching a cluster; anything else starts the operator.
 */
@QuarkusMain
public final class MailrouteMain {
    static final String USAGE =
            """
            usage: mailroute check DOMAIN... [--resolver IP[:PORT]]... [--output text|json] [--from-files PATH]...
                   mailroute render -f DIR|FILE... [--output-dir DIR]
                   mailroute            (no arguments: run the operator)""";
    public static final int USAGE_ERROR = 64;

    /** An unexpected error (I/O, a bug): distinct from the checks' own codes 1-3. */
    public static final int INTERNAL_ERROR = 70;

    private MailrouteMain() {}

    public static void main(String... args) {
        if (args.length > 0
                && (args[0].equals("check")
                        || args[0].equals("render")
                        || args[0].equals("help"))) {
            quietLibraryLogging();
            System.exit(run(Arrays.asList(args), System.out, System.err));
        }
        Quarkus.run(args);
    }

    /**
     * Without Quarkus nobody configures JBoss LogManager, and its default lets every level through:
     * dnsjava's trace logging (a hex dump of each packet, formatted whether or not it is written
     * anywhere) cost more CPU than the DNS work of {@code check}. The commands report on
     * stdout/stderr themselves; libraries only get to say warnings.
     */
    public static void quietLibraryLogging() {
        org.jboss.logmanager.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }

    /** Runs a command; returns its exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() > 1 && (args.contains("--help") || args.contains("-h"))) {
            out.println(USAGE);
            return 0;
        }
        try {
            return switch (args.get(0)) {
                case "check" -> CheckCommand.run(args.subList(1, args.size()), out, err);
                case "render" -> RenderCommand.run(args.subList(1, args.size()), out, err);
                default -> {
                    out.println(USAGE);
                    yield 0;
                }
            };
        } catch (UsageException e) {
            err.println(
                    "mailroute "
                            + SafeText.oneLine(args.get(0))
                            + ": "
                            + SafeText.oneLine(e.getMessage()));
            err.println(USAGE);
            return USAGE_ERROR;
        } catch (java.io.IOException | RuntimeException e) {
            err.println(
                    "mailroute "
                            + SafeText.oneLine(args.get(0))
                            + ": "
                            + SafeText.oneLine(String.valueOf(e)));
            return INTERNAL_ERROR;
        }
    }
}
