package io.mailroute.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.routing.RelayPlanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline rendering of manifests, as a pull-request check in a GitOps repository would run it. */
class OfflineRenderTest {
    final OfflineRender render = new OfflineRender(3);

    @Test
    void theExamplesRenderWithoutProblems() throws IOException {
        OfflineRender.Result result = render.render(ManifestSet.read(List.of(Path.of("examples"))));
        assertThat(result.problems()).isEmpty();
        assertThat(result.files()).containsOnlyKeys("default/outbound", "mail/shared");
        assertThat(
                        RelayPlanner.parseTransport(
                                result.files().get("default/outbound").get("transport")))
                .containsEntry("outlook.com", "smtp:[outlook-com.olc.protection.outlook.com]:25")
                .containsEntry("partner.example", "smtp:[smtp.example.net]:587")
                .doesNotContainKey("example.org");
        assertThat(result.notes())
                .anySatisfy(n -> assertThat(n).contains("example.org").contains("DNS"));
        assertThat(result.files().get("default/outbound")).doesNotContainKey("sasl_passwd");
        assertThat(result.files().get("default/outbound").values())
                .noneMatch(text -> text.contains("change-me-to-a-real-password"));
    }

    @Test
    void everyProblemIsOneLineNamingFileObjectAndField(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("routes.yaml"),
                """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: relay}
                spec: {hostname: relay.example.com}
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: bad-domain}
                spec:
                  relayRefs: [{name: relay}]
                  domains: ["exa mple.com"]
                  target: {hosts: [{host: mx.example.com}]}
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: no-secret}
                spec:
                  relayRefs: [{name: relay}]
                  domains: [example.org]
                  target: {relay: {host: smtp.example.net, authSecretRef: {name: missing}}}
                  tls: verify
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: good, creationTimestamp: "2026-01-01T00:00:00Z"}
                spec:
                  relayRefs: [{name: relay}]
                  domains: [example.net]
                  target: {hosts: [{host: mx1.example.net}]}
                ---
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata: {name: twin, creationTimestamp: "2026-02-01T00:00:00Z"}
                spec:
                  relayRefs: [{name: relay}]
                  domains: [example.net]
                  target: {hosts: [{host: mx2.example.net}]}
                """);
        Files.writeString(dir.resolve("broken.yaml"), "kind: [unclosed\n");
        OfflineRender.Result result = render.render(ManifestSet.read(List.of(dir)));
        assertThat(result.problems()).allSatisfy(p -> assertThat(p).doesNotContain("\n"));
        assertThat(result.problems())
                .contains(dir.resolve("broken.yaml") + ": not valid YAML (line 2, column 1)");
        assertThat(result.problems())
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .startsWith(
                                                "MailRoute default/bad-domain on MailRelay default/relay: InvalidDomain: spec.domains[0]"));
        assertThat(result.problems())
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .contains("default/no-secret")
                                        .contains("SecretNotFound"));
        assertThat(result.problems())
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .contains("default/twin")
                                        .contains("DomainConflict")
                                        .contains("default/good"));
        assertThat(
                        RelayPlanner.parseTransport(
                                result.files().get("default/relay").get("transport")))
                .containsExactly(java.util.Map.entry("example.net", "smtp:[mx1.example.net]:25"));
    }
}
