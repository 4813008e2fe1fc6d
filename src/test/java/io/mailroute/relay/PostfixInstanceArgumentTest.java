package io.mailroute.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Postfix command in the relay image's scripts and the project's shell scripts names its
 * instance with {@code -c DIR}. Without it a command reads the host's {@code /etc/postfix/main.cf},
 * which a "No configuration" install and the relay image do not have (postmap: fatal: open
 * /etc/postfix/main.cf), and which on a developer machine belongs to another instance. The relay
 * tests catch the same mistake at run time (they run the scripts without the host's configuration);
 * this check names the line.
 */
@RealComponents
class PostfixInstanceArgumentTest {

    /**
     * A Postfix command in command position: line start, after a pipe, a list operator, $( or a
     * keyword.
     */
    private static final Pattern CALL =
            Pattern.compile(
                    "(?:^|[|;&(!{]|\\$\\(|\\b(?:then|do|else|if|while|until|exec|time)\\s)\\s*"
                            + "(postfix|postmap|postconf|postqueue|postsuper|postcat|postalias|postdrop|postlog)"
                            + "((?:\\s+(?!&&|\\|\\|)[^\\s|;]+)*)");

    @Test
    void everyPostfixCallInTheScriptsNamesItsInstance() throws IOException {
        List<Path> scripts = new ArrayList<>();
        for (Path dir : List.of(RelayInstance.SCRIPTS, Path.of("hack"), Path.of("hack/demo"))) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.toString().endsWith(".sh") || isBashScript(f))
                        .forEach(scripts::add);
            }
        }
        assertThat(scripts).as("scripts found").hasSizeGreaterThan(5);

        List<String> calls = new ArrayList<>();
        List<String> withoutInstance = new ArrayList<>();
        for (Path script : scripts) {
            List<String> lines = Files.readAllLines(script);
            for (int i = 0; i < lines.size(); i++) {
                for (String call : calls(lines.get(i))) {
                    calls.add(call);
                    if (!namesInstance(call)) {
                        withoutInstance.add(script + ":" + (i + 1) + ": " + call);
                    }
                }
            }
        }
        assertThat(calls).as("Postfix calls found in %s", scripts).hasSizeGreaterThanOrEqualTo(8);
        assertThat(withoutInstance).as("Postfix calls without -c DIR").isEmpty();
    }

    /**
     * The relay's perl helper (delivery-summary.pl) runs Postfix commands as exec lists: each names
     * -c too.
     */
    @Test
    void everyPostfixCallInThePerlHelpersNamesItsInstance() throws IOException {
        Pattern exec =
                Pattern.compile(
                        "\\bexec\\s+'(postfix|postmap|postconf|postqueue|postsuper|postcat)'(.*)");
        List<String> calls = new ArrayList<>();
        try (Stream<Path> files = Files.list(RelayInstance.SCRIPTS)) {
            for (Path script : files.filter(f -> f.toString().endsWith(".pl")).toList()) {
                for (String line : Files.readAllLines(script)) {
                    Matcher matcher = exec.matcher(line);
                    if (matcher.find()) {
                        calls.add(script.getFileName() + ": " + line.strip());
                        assertThat(matcher.group(2)).as(line).contains("'-c'");
                    }
                }
            }
        }
        assertThat(calls).as("postqueue -j of the delivery summary").isNotEmpty();
    }

    @Test
    void theCheckFindsACallWithoutInstance() {
        assertThat(calls("    if ! out=\"$(postmap \"lmdb:$cand/$map\" 2>&1)\"; then"))
                .hasSize(1)
                .allSatisfy(call -> assertThat(namesInstance(call)).isFalse());
        assertThat(calls("postqueue -f && postfix reload"))
                .hasSize(2)
                .noneSatisfy(call -> assertThat(namesInstance(call)).isTrue());
        assertThat(calls("  postfix -c \"$RELAY_CONFIG_DIR\" stop"))
                .singleElement()
                .satisfies(call -> assertThat(namesInstance(call)).isTrue());
        assertThat(calls("RELAY_ERROR=\"postfix check failed (see the log)\"")).isEmpty();
        assertThat(calls("  # postmap without -c reads /etc/postfix/main.cf")).isEmpty();
        assertThat(
                        calls(
                                ": \"${RELAY_CONFIG_DIR:=/etc/postfix}\"  # the live directory (postfix -c)"))
                .isEmpty();
    }

    static List<String> calls(String line) {
        String code = line.strip().startsWith("#") ? "" : line.replaceFirst("\\s#\\s.*$", "");
        List<String> calls = new ArrayList<>();
        Matcher matcher = CALL.matcher(code);
        while (matcher.find()) {
            calls.add(matcher.group(1) + matcher.group(2));
        }
        return calls;
    }

    /** The command's own arguments (up to the next operator) include {@code -c DIR}. */
    static boolean namesInstance(String call) {
        String own = call.split("\\s*(?:\\|\\||&&|[|;)])\\s*", 2)[0];
        return Pattern.compile("\\s-c\\s+\\S").matcher(own).find();
    }

    private static boolean isBashScript(Path file) {
        try {
            return Files.isRegularFile(file)
                    && Files.readString(file).startsWith("#!/usr/bin/env bash");
        } catch (IOException e) {
            return false;
        }
    }
}
