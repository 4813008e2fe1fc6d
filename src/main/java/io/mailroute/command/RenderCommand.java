package io.mailroute.command;

import io.mailroute.offline.ManifestSet;
import io.mailroute.offline.OfflineRender;
import io.mailroute.postfix.SafeText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mailroute render -f DIR|FILE... [--output-dir DIR]}: renders MailRelay/MailRoute manifests
 * offline into the Postfix files the operator would write (one directory per relay:
 * NAMESPACE/NAME/main.cf, transport, tls_policy). Exit 0 when every route renders, 1 with one line
 * per problem on stderr: a check for GitOps pull requests.
 */
public final class RenderCommand {
    private RenderCommand() {}

    public static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        List<Path> inputs = new ArrayList<>();
        Path outputDir = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "-f", "--filename" -> inputs.add(Path.of(Args.value(args, ++i, arg)));
                case "--output-dir" -> outputDir = Path.of(Args.value(args, ++i, arg));
                default -> throw new UsageException("unknown argument " + arg);
            }
        }
        if (inputs.isEmpty()) {
            throw new UsageException("name the manifests with -f DIR|FILE");
        }
        for (Path input : inputs) {
            if (!Files.exists(input)) {
                throw new UsageException("no such file or directory: " + input);
            }
        }
        OfflineRender.Result result = new OfflineRender(3).render(ManifestSet.read(inputs));
        List<String> problems = new ArrayList<>(result.problems());
        for (Map.Entry<String, Map<String, String>> relay : result.files().entrySet()) {
            if (outputDir != null) {
                String problem = write(outputDir, relay.getKey(), relay.getValue());
                if (problem != null) {
                    problems.add(problem);
                } else {
                    out.println(
                            "wrote "
                                    + SafeText.oneLine(
                                            outputDir.resolve(relay.getKey()).toString()));
                }
            } else {
                out.println("=== MailRelay " + relay.getKey() + ": transport");
                out.print(relay.getValue().get("transport"));
            }
        }
        // every line passes SafeText: one problem is one line and reads as it is, whatever the
        // files contained
        result.notes().forEach(note -> err.println("note: " + SafeText.oneLine(note)));
        problems.forEach(problem -> err.println(SafeText.oneLine(problem)));
        return problems.isEmpty() ? 0 : 1;
    }

    /**
     * Writes one relay's files to {@code OUTPUT/NAMESPACE/NAME/}; returns a problem instead when
     * that would leave the output directory or go through a symbolic link. The names were validated
     * as Kubernetes names when the manifests were read (ManifestSet); this is the second line of
     * defence, on the path actually written.
     */
    static String write(Path outputDir, String relayKey, Map<String, String> files)
            throws IOException {
        Path root = outputDir.toAbsolutePath().normalize();
        String[] segments = relayKey.split("/", -1);
        boolean plain = segments.length == 2;
        for (String segment : segments) {
            plain &=
                    !segment.isEmpty()
                            && !segment.equals(".")
                            && !segment.equals("..")
                            && segment.indexOf('\\') < 0;
        }
        Path dir = root.resolve(relayKey).normalize();
        if (!plain || !dir.startsWith(root) || dir.equals(root)) {
            return "MailRelay " + relayKey + ": not written: the path would leave --output-dir";
        }
        Files.createDirectories(root);
        Path current = root;
        for (String segment : segments) {
            current = current.resolve(segment);
            if (Files.isSymbolicLink(current)) {
                return "MailRelay "
                        + relayKey
                        + ": not written: "
                        + current
                        + " is a symbolic link";
            }
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(current);
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            if (Files.isSymbolicLink(target)) {
                return "MailRelay " + relayKey + ": not written: " + target + " is a symbolic link";
            }
            // O_NOFOLLOW: a link put there after the check above is not followed either
            Files.writeString(
                    target,
                    file.getValue(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    LinkOption.NOFOLLOW_LINKS);
        }
        return null;
    }
}
