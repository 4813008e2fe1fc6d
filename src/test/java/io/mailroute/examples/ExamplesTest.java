package io.mailroute.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.testing.ControlPlane;
import io.mailroute.testing.ControlPlaneResource;
import io.mailroute.testing.KnotResource;
import io.mailroute.testing.RealComponents;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every file in examples/, applied as a user would, reaches Ready with the test DNS server (knot).
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
@RealComponents
class ExamplesTest {
    @Inject KubernetesClient client;

    final List<HasMetadata> applied = new ArrayList<>();

    @AfterEach
    void deleteExamples() {
        for (HasMetadata resource : applied) {
            if (!(resource instanceof io.fabric8.kubernetes.api.model.Namespace)) {
                client.resource(resource).delete();
            }
        }
    }

    @Test
    void everyExampleReachesItsExpectedConditions() throws IOException {
        try (Stream<Path> files = Files.list(ControlPlane.repoRoot().resolve("examples"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (HasMetadata item : client.load(in).items()) {
                        applied.add(client.resource(item).createOr(NonDeletingOperation::update));
                    }
                }
            }
        }
        List<HasMetadata> routes =
                applied.stream().filter(r -> "MailRoute".equals(r.getKind())).toList();
        assertThat(routes).hasSizeGreaterThanOrEqualTo(7);

        await().atMost(Duration.ofSeconds(60))
                .ignoreException(KubernetesClientException.class)
                .untilAsserted(
                        () -> {
                            for (HasMetadata r : routes) {
                                MailRoute route =
                                        client.resources(MailRoute.class)
                                                .inNamespace(r.getMetadata().getNamespace())
                                                .withName(r.getMetadata().getName())
                                                .get();
                                assertThat(route.getStatus())
                                        .as(r.getMetadata().getName())
                                        .isNotNull();
                                assertThat(route.getStatus().conditions)
                                        .as(
                                                "%s/%s conditions",
                                                r.getMetadata().getNamespace(),
                                                r.getMetadata().getName())
                                        .anySatisfy(
                                                c -> {
                                                    assertThat(c.getType()).isEqualTo("Ready");
                                                    assertThat(c.getStatus())
                                                            .as(
                                                                    c.getReason()
                                                                            + ": "
                                                                            + c.getMessage())
                                                            .isEqualTo("True");
                                                    assertThat(c.getObservedGeneration())
                                                            .isEqualTo(
                                                                    route.getMetadata()
                                                                            .getGeneration());
                                                });
                            }
                            for (HasMetadata r :
                                    applied.stream()
                                            .filter(x -> "MailRelay".equals(x.getKind()))
                                            .toList()) {
                                MailRelay relay =
                                        client.resources(MailRelay.class)
                                                .inNamespace(r.getMetadata().getNamespace())
                                                .withName(r.getMetadata().getName())
                                                .get();
                                // Written (no relay pod runs on the test control plane, so not yet
                                // live anywhere).
                                assertThat(relay.getStatus().configHash)
                                        .isEqualTo(
                                                client.configMaps()
                                                        .inNamespace(r.getMetadata().getNamespace())
                                                        .withName(
                                                                r.getMetadata().getName()
                                                                        + "-config")
                                                        .get()
                                                        .getData()
                                                        .get("config-hash"));
                            }
                            var outbound =
                                    RelayPlanner.parseTransport(
                                            client.configMaps()
                                                    .inNamespace("default")
                                                    .withName("outbound-config")
                                                    .get()
                                                    .getData()
                                                    .get("transport"));
                            assertThat(outbound)
                                    .containsEntry(
                                            "outlook.com",
                                            "smtp:[outlook-com.olc.protection.outlook.com]:25")
                                    .containsEntry(
                                            "example.org",
                                            "smtp:[mx1.example.org]:25, [mx2.example.org]:25")
                                    .containsEntry("partner.example", "smtp:[smtp.example.net]:587")
                                    .containsEntry(
                                            ".partner.example", "smtp:[smtp.example.net]:587");
                            assertThat(
                                            client.secrets()
                                                    .inNamespace("default")
                                                    .withName("outbound-sasl")
                                                    .get())
                                    .isNotNull();
                            assertThat(
                                            RelayPlanner.parseTransport(
                                                    client.configMaps()
                                                            .inNamespace("mail")
                                                            .withName("shared-config")
                                                            .get()
                                                            .getData()
                                                            .get("transport")))
                                    .containsOnlyKeys("outlook.com");
                        });
    }
}
