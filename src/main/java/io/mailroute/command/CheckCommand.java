package io.mailroute.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mailroute.MailrouteMain;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.dns.DnsResolverConfig;
import io.mailroute.dns.MxHostReport;
import io.mailroute.dns.MxLookupService;
import io.mailroute.dns.MxReport;
import io.mailroute.dns.ResolvConf;
import io.mailroute.dns.ResolverMxResult;
import io.mailroute.dns.Verdict;
import io.mailroute.offline.ManifestSet;
import io.mailroute.postfix.DomainNames;
import io.mailroute.postfix.PostfixInputException;
import io.mailroute.postfix.SafeText;
import io.mailroute.routing.ResourceKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code mailroute check DOMAIN... [--resolver HOST[:PORT]]... [--output text|json] [--from-files
 * PATH]...}: the full MX report of each domain. Exit code: the worst over all domains, failures
 * first: 2 failure (definite: the route cannot work as configured), 3 temporary failure (no
 * definite answer: retry), 1 warnings, 0 ok.
 */
public final class CheckCommand {
    public static final int OK = 0;
    public static final int WARNINGS = 1;
    public static final int FAILURES = 2;
    public static final int TEMPORARY = 3;

    private CheckCommand() {}

    public static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Set<String> domains = new LinkedHashSet<>();
        List<String> resolvers = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        String output = "text";
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--resolver" -> resolvers.add(Args.value(args, ++i, arg));
                case "--output", "-o" -> output = Args.value(args, ++i, arg);
                case "--from-files" -> files.add(Path.of(Args.value(args, ++i, arg)));
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option " + arg);
                    }
                    domains.add(domain(arg));
                }
            }
        }
        if (!output.equals("text") && !output.equals("json")) {
            throw new UsageException("--output must be text or json, not " + output);
        }
        if (!files.isEmpty()) {
            ManifestSet manifests = ManifestSet.read(files);
            List<String> problems = new ArrayList<>(manifests.problems());
            for (MailRoute route : manifests.routes()) {
                if (route.getSpec() == null || route.getSpec().domains == null) {
                    continue;
                }
                for (int i = 0; i < route.getSpec().domains.size(); i++) {
                    try {
                        domains.add(
                                DomainNames.normalize(
                                        "spec.domains[" + i + "]", route.getSpec().domains.get(i)));
                    } catch (PostfixInputException e) {
                        problems.add("MailRoute " + ResourceKey.of(route) + ": " + e.getMessage());
                    }
                }
            }
            if (!problems.isEmpty()) {
                // the files are the input: like a usage error, nothing is looked up (exit 64), one
                // line each
                problems.forEach(p -> err.println("mailroute check: " + SafeText.oneLine(p)));
                return MailrouteMain.USAGE_ERROR;
            }
        }
        if (domains.isEmpty()) {
            throw new UsageException("name at least one domain (or --from-files with MailRoutes)");
        }
        DnsResolverConfig config;
        try {
            config =
                    DnsResolverConfig.of(
                            resolvers.isEmpty() ? ResolvConf.systemNameservers() : resolvers);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--resolver: " + e.getMessage());
        }
        boolean json = output.equals("json");
        List<MxReport> reports = new ArrayList<>();
        Set<Verdict> verdicts = EnumSet.noneOf(Verdict.class);
        try (MxLookupService lookups = new MxLookupService(config)) {
            // A sliding window of checks (a check mostly waits for answers): at most WINDOW in
            // flight, reports taken in the order the domains were given, text printed as soon as
            // each one and those before it are done. Memory does not grow with the number of
            // domains (for text); JSON is one document, written at the end.
            ArrayDeque<CompletableFuture<MxReport>> window = new ArrayDeque<>();
            Iterator<String> pending = domains.iterator();
            // Text is collected while reports are ready and written when the next one is not (or
            // every 64 KiB): streamed, without a write per line to an auto-flushing System.out.
            StringBuilder text = new StringBuilder();
            while (pending.hasNext() || !window.isEmpty()) {
                while (pending.hasNext() && window.size() < WINDOW) {
                    window.add(lookups.checkAsync(pending.next()));
                }
                CompletableFuture<MxReport> next = window.poll();
                if (text.length() > 0 && (!next.isDone() || text.length() >= 1 << 16)) {
                    out.print(text);
                    text.setLength(0);
                }
                MxReport report = result(next);
                verdicts.add(report.verdict());
                if (json) {
                    reports.add(report);
                } else {
                    appendText(report, text);
                }
            }
            out.print(text);
        }
        int exit = exitCodeOf(List.copyOf(verdicts));
        if (json) {
            // in its own class: Jackson is only loaded when JSON is asked for (CLI start-up time)
            JsonOutput.print(exit, reports, out);
        } else {
            out.println("exit " + exit + ": " + describe(exit));
        }
        return exit;
    }

    /** Domain checks in flight at once (the engine runs up to its own limit, the rest wait). */
    static final int WINDOW = 512;

    private static MxReport result(CompletableFuture<MxReport> check) {
        try {
            return check.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** JSON output; a class of its own so that Jackson is loaded only for {@code --output json}. */
    private static final class JsonOutput {
        static void print(int exit, List<MxReport> reports, PrintStream out)
                throws JsonProcessingException {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("exitCode", exit);
            document.put("reports", reports);
            out.println(
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(document));
        }
    }

    /** The worst verdict decides: a definite failure outranks a temporary one. */
    static int exitCodeOf(List<Verdict> verdicts) {
        boolean fail = verdicts.contains(Verdict.FAIL);
        boolean retry = verdicts.contains(Verdict.RETRY);
        boolean warn = verdicts.contains(Verdict.WARN);
        return fail ? FAILURES : retry ? TEMPORARY : warn ? WARNINGS : OK;
    }

    /** The worst verdict decides: a definite failure outranks a temporary one. */
    public static int exitCode(List<MxReport> reports) {
        return exitCodeOf(reports.stream().map(MxReport::verdict).toList());
    }

    private static String describe(int exit) {
        return switch (exit) {
            case OK -> "every domain checked out";
            case WARNINGS -> "warnings";
            case FAILURES -> "failures";
            default -> "temporary failures, try again";
        };
    }

    private static String domain(String input) {
        try {
            return DomainNames.normalize("domain", input);
        } catch (PostfixInputException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * The text block of one report (no Formatter: it is the CLI's hot path, mostly interpreted).
     */
    static void appendText(MxReport report, StringBuilder out) {
        String nl = System.lineSeparator();
        out.append(report.domain())
                .append(": ")
                .append(report.classification())
                .append(" (")
                .append(report.verdict())
                .append(')')
                .append(nl);
        for (MxHostReport host : report.hosts()) {
            out.append("  MX ");
            padRight(out, Integer.toString(host.preference()), 3).append(' ');
            padRight(out, host.host(), 45).append(' ');
            padRight(out, host.status().toString(), 9).append(' ');
            padLeft(out, Integer.toString(host.addressCount()), 3).append(" address(es)");
            if (host.tcpNeeded()) {
                out.append("  TCP needed (UDP answer truncated)");
            }
            if (!host.cnameChain().isEmpty()) {
                out.append("  CNAME ").append(String.join(" -> ", host.cnameChain()));
            }
            out.append(nl);
        }
        report.warnings().forEach(w -> out.append("  warning: ").append(w).append(nl));
        report.errors().forEach(e -> out.append("  error: ").append(e).append(nl));
        if (report.disagreement()) {
            report.disagreements()
                    .forEach(d -> out.append("  resolvers disagree: ").append(d).append(nl));
        }
        for (ResolverMxResult resolver : report.resolvers()) {
            out.append("  resolver ")
                    .append(resolver.server())
                    .append(": ")
                    .append(resolver.classification())
                    .append(nl);
        }
    }

    private static StringBuilder padRight(StringBuilder out, String s, int width) {
        out.append(s);
        for (int i = s.length(); i < width; i++) {
            out.append(' ');
        }
        return out;
    }

    private static StringBuilder padLeft(StringBuilder out, String s, int width) {
        for (int i = s.length(); i < width; i++) {
            out.append(' ');
        }
        return out.append(s);
    }
}
