package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailroute render} and {@code check --from-files} run on untrusted pull requests: every bad
 * input is one line on stderr naming the file, object and field, with exit 1 (render) or 64
 * (check), never a stack trace or exit 70; nothing is written outside --output-dir; links are not
 * followed; file content is not echoed.
 */
class RenderUntrustedInputTest {

    private static final String RELAY =
            """
            apiVersion: mailroute.io/v1alpha1
            kind: MailRelay
            metadata: {name: relay}
            spec: {hostname: relay.example.com}
            ---
            """;
    private static final String HOSTS_ROUTE =
            """
            apiVersion: mailroute.io/v1alpha1
            kind: MailRoute
            metadata: {name: r%s}
            spec: {relayRefs: [{name: relay%s}], domains: [a.example], target: {hosts: [{host: mx.example.com}]}}
            """;

    @TempDir Path dir;

    private Cli.Run render(String yaml) throws IOException {
        Files.writeString(dir.resolve("m.yaml"), yaml);
        return Cli.run("render", "-f", dir.resolve("m.yaml").toString());
    }

    private String file() {
        return dir.resolve("m.yaml").toString();
    }

    private static List<String> problems(Cli.Run run) {
        return run.err().lines().filter(l -> !l.startsWith("note:")).toList();
    }

    @Test
    void nullHostIsAProblemOfTheRoute() throws IOException {
        Cli.Run run =
                render(
                        RELAY
                                + """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: r}
                spec: {relayRefs: [{name: relay}], domains: [a.example], target: {hosts: [null]}}
                """);
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .containsExactly(
                        "MailRoute default/r on MailRelay default/relay: InvalidTarget: spec.target.hosts[0]: must not be null");
    }

    @Test
    void secretDataThatIsNotBase64NamesSecretAndKeyButNotTheValue() throws IOException {
        Cli.Run run =
                render(
                        RELAY
                                + """
                apiVersion: v1
                kind: Secret
                metadata: {name: creds, labels: {mailroute.io/credentials: "true"}}
                data: {username: dXNlcg==, password: "hunter2 secret!"}
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: r}
                spec:
                  relayRefs: [{name: relay}]
                  domains: [a.example]
                  target: {relay: {host: smtp.example.net, authSecretRef: {name: creds}}}
                """);
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .containsExactly(
                        "MailRoute default/r on MailRelay default/relay: InvalidSecret: "
                                + "Secret default/creds: data.password: not valid base64 (the value is not shown)");
        assertThat(run.all()).doesNotContain("hunter2");
    }

    @Test
    void selectorRequirementWithoutKeyOrOperatorMakesTheRelayInvalid() throws IOException {
        String route =
                HOSTS_ROUTE
                        .formatted("", ", namespace: default")
                        .replace("metadata: {name: r}", "metadata: {name: r, namespace: other}");
        Cli.Run noKey =
                render(
                        """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: relay}
                spec:
                  hostname: relay.example.com
                  allowedRoutes: {from: Selector, selector: {matchExpressions: [{operator: In, values: [a]}]}}
                ---
                """
                                + route);
        assertThat(noKey.exit()).as(noKey.all()).isEqualTo(1);
        assertThat(problems(noKey))
                .containsExactly(
                        "MailRelay default/relay: InvalidRelay: "
                                + "spec.allowedRoutes.selector.matchExpressions[0].key: must be set");

        Cli.Run noOperator =
                render(
                        """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: relay}
                spec:
                  hostname: relay.example.com
                  allowedRoutes: {from: Selector, selector: {matchExpressions: [{key: team, values: [a]}]}}
                ---
                """
                                + route);
        assertThat(noOperator.exit()).as(noOperator.all()).isEqualTo(1);
        assertThat(problems(noOperator))
                .containsExactly(
                        "MailRelay default/relay: InvalidRelay: "
                                + "spec.allowedRoutes.selector.matchExpressions[0].operator: must be one of In, NotIn, Exists, "
                                + "DoesNotExist");
    }

    @Test
    void deeplyNestedYamlIsRefusedWithoutOverflowingTheStack() throws IOException {
        Cli.Run sequences = render("a: " + "[".repeat(20000) + "]".repeat(20000) + "\n");
        assertThat(sequences.exit()).as(sequences.all()).isEqualTo(1);
        assertThat(problems(sequences))
                .containsExactly(
                        file() + ": nested deeper than 64 levels (near line 1, column 67)");

        Cli.Run mappings =
                render(RELAY + "a: " + "{b: ".repeat(5000) + "1" + "}".repeat(5000) + "\n");
        assertThat(mappings.exit()).as(mappings.all()).isEqualTo(1);
        assertThat(problems(mappings))
                .containsExactly(
                        file()
                                + " (document 2): nested deeper than 64 levels (near line 6, column 256)");
    }

    @Test
    void kindListIsReadItemByItem() throws IOException {
        Cli.Run run =
                render(
                        """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: mailroute.io/v1alpha1
                  kind: MailRelay
                  metadata: {name: relay}
                  spec: {hostname: relay.example.com}
                - apiVersion: mailroute.io/v1alpha1
                  kind: MailRoute
                  metadata: {name: r}
                  spec: {relayRefs: [{name: relay}], domains: [a.example], target: {hosts: [{host: mx.example.com}]}}
                - 42
                - {apiVersion: v1, kind: List, items: []}
                """);
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).contains("a.example smtp:[mx.example.com]:25");
        assertThat(problems(run))
                .containsExactly(
                        file() + " items[2]: must be an object",
                        file() + " items[3]: a List inside a List is not supported");
    }

    @Test
    void bidiControlsAndLineSeparatorsInMessagesAreEscaped() throws IOException {
        Cli.Run run =
                render(
                        RELAY
                                + """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: r}
                spec:
                  relayRefs: [{name: relay}]
                  domains: ["a\u2028b.example\u202e\u2066"]
                  target: {hosts: [{host: mx.example.com}]}
                """);
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .containsExactly(
                        "MailRoute default/r on MailRelay default/relay: InvalidDomain: "
                                + "spec.domains[0]: \"a\\u2028b.example\\u202e\\u2066\" is not a valid domain name: contains whitespace");
        assertThat(run.err()).doesNotContain("\u2028", "\u202e", "\u2066");
    }

    @Test
    void malformedYamlNamesTheLineButDoesNotEchoTheContent() throws IOException {
        Cli.Run run =
                render(
                        "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"
                                + "stringData: {password: [hunter2 secretvalue\n");
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .hasSize(1)
                .allMatch(l -> l.startsWith(file() + ": not valid YAML (line "));
        assertThat(run.all()).doesNotContain("hunter2");
    }

    @Test
    void wrongTypesNameTheField() throws IOException {
        Cli.Run run =
                render(
                        RELAY
                                + """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: r}
                spec: {relayRefs: [{name: relay}], domains: [a.example], target: {hosts: [{host: mx.example.com, port: "secret-ish"}]}}
                """);
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .containsExactly(
                        file()
                                + " (document 2): MailRoute default/r: spec.target.hosts[0].port: has the wrong type or format");
        assertThat(run.all()).doesNotContain("secret-ish");
    }

    @Test
    void objectNamesThatWouldLeaveTheOutputDirectoryAreRefused() throws IOException {
        Path out = dir.resolve("out");
        Files.writeString(
                dir.resolve("m.yaml"),
                """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: relay, namespace: ".."}
                spec: {hostname: relay.example.com}
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: tmp/x, namespace: ""}
                spec: {hostname: relay.example.com}
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: ok}
                spec: {hostname: relay.example.com}
                """);
        Cli.Run run = Cli.run("render", "-f", file(), "--output-dir", out.toString());
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .containsExactly(
                        file()
                                + " (document 1): MailRelay relay: metadata.namespace: \"..\" is not a valid namespace name "
                                + "(lower-case letters, digits and '-', at most 63 characters)",
                        file()
                                + " (document 2): MailRelay \"tmp/x\": metadata.name: not a valid Kubernetes name (lower-case "
                                + "letters, digits, '-' and '.', at most 253 characters)");
        try (Stream<Path> written = Files.walk(dir)) {
            assertThat(written.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()))
                    .containsExactlyInAnyOrder(
                            "m.yaml",
                            "out/default/ok/main.cf",
                            "out/default/ok/transport",
                            "out/default/ok/tls_policy");
        }
        assertThat(Path.of("/tmp/x")).doesNotExist();
    }

    @Test
    void writerRefusesPathsOutsideTheOutputDirectoryAndSymlinks() throws IOException {
        Path out = dir.resolve("out");
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        assertThat(RenderCommand.write(out, "../x", java.util.Map.of("main.cf", "x")))
                .isEqualTo("MailRelay ../x: not written: the path would leave --output-dir");
        assertThat(RenderCommand.write(out, "/tmp/x", java.util.Map.of("main.cf", "x")))
                .contains("would leave");
        Files.createDirectories(out);
        Files.createSymbolicLink(out.resolve("default"), elsewhere);
        assertThat(RenderCommand.write(out, "default/relay", java.util.Map.of("main.cf", "x")))
                .isEqualTo(
                        "MailRelay default/relay: not written: "
                                + out.resolve("default")
                                + " is a symbolic link");
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void symlinkedManifestsAreNotFollowedNorEchoed() throws IOException {
        Path secretFile =
                Files.writeString(dir.resolve("outside.txt"), "root:hunter2:19000:0:99999:7:::\n");
        Path manifests = Files.createDirectory(dir.resolve("manifests"));
        Files.createSymbolicLink(manifests.resolve("shadow.yaml"), secretFile);
        Files.writeString(manifests.resolve("relay.yaml"), RELAY);
        Path direct = Files.createSymbolicLink(dir.resolve("direct.yaml"), secretFile);

        Cli.Run run = Cli.run("render", "-f", manifests.toString(), "-f", direct.toString());

        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(problems(run))
                .containsExactly(
                        manifests.resolve("shadow.yaml")
                                + ": is a symbolic link; links are not followed",
                        direct + ": is a symbolic link; links are not followed");
        assertThat(run.all()).doesNotContain("hunter2");

        Cli.Run check = Cli.run("check", "--from-files", manifests.toString());
        assertThat(check.exit()).as(check.all()).isEqualTo(64);
        assertThat(check.err().lines())
                .containsExactly(
                        "mailroute check: "
                                + manifests.resolve("shadow.yaml")
                                + ": is a symbolic link; links are not followed");
    }

    @Test
    void checkFromFilesReportsBadInputAsOneLineEachAndLooksNothingUp() throws IOException {
        Files.writeString(
                dir.resolve("m.yaml"),
                RELAY
                        + """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: r}
                spec: {relayRefs: [{name: relay}], domains: [null, "a b"], target: {hosts: [null]}}
                ---
                apiVersion: v1
                kind: List
                items: [7]
                """);
        Cli.Run run = Cli.run("check", "--resolver", "127.0.0.1:9", "--from-files", file());
        assertThat(run.exit()).as(run.all()).isEqualTo(64);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines())
                .containsExactly(
                        "mailroute check: " + file() + " (document 3) items[0]: must be an object",
                        "mailroute check: MailRoute default/r: spec.domains[0]: must not be empty",
                        "mailroute check: MailRoute default/r: spec.domains[1]: \"a b\" is not a valid domain name: "
                                + "contains whitespace");
    }

    @Test
    void usageErrorsEscapeTheArgumentTheyEcho() {
        Cli.Run run = Cli.run("render", "--\u202eevil\u2028x");
        assertThat(run.exit()).as(run.all()).isEqualTo(64);
        assertThat(run.err().lines().findFirst().orElseThrow())
                .isEqualTo("mailroute render: unknown argument --\\u202eevil\\u2028x");
        assertThat(run.err()).doesNotContain("\u202e", "\u2028");
    }
}
