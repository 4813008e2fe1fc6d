package io.mailroute.command;

import io.mailroute.offline.ManifestSet;
import io.mailroute.offline.OfflineRender;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mailroute render -f DIR|FILE... [--output-dir DIR]}: renders MailRelay/MailRoute manifests offline into the
 * Postfix files the operator would write (one directory per relay: NAMESPACE/NAME/main.cf, transport, tls_policy).
 * Exit 0 when every route renders, 1 with one line per problem on stderr: a check for GitOps pull requests.
 */
public final class RenderCommand {
    private RenderCommand() {
    }

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
        for (Map.Entry<String, Map<String, String>> relay : result.files().entrySet()) {
            if (outputDir != null) {
                Path dir = outputDir.resolve(relay.getKey());
                Files.createDirectories(dir);
                for (Map.Entry<String, String> file : relay.getValue().entrySet()) {
                    Files.writeString(dir.resolve(file.getKey()), file.getValue());
                }
                out.println("wrote " + dir);
            } else {
                out.println("=== MailRelay " + relay.getKey() + ": transport");
                out.print(relay.getValue().get("transport"));
            }
        }
        result.notes().forEach(note -> err.println("note: " + note));
        result.problems().forEach(err::println);
        return result.problems().isEmpty() ? 0 : 1;
    }
}
