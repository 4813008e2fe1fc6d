package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.api.v1alpha1.TlsPolicy;
import io.mailroute.dependent.RelayObjects;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.status.StatusNames.Reason;
import io.mailroute.testing.ControlPlane;
import io.mailroute.testing.ControlPlaneResource;
import io.mailroute.testing.KnotResource;
import io.mailroute.testing.OperatorAssertions;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.Resources;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * An operator that starts on a cluster it has served before (an upgrade, a rescheduled pod): the
 * relay and its {@code relay-sasl} Secret exist before the operator starts. The operator reads that
 * Secret when its informer first lists the relay, while the other informers start (FirstReads), and
 * the first reconcile must use what it read: keep the Secret's {@code hash-key} (a new key would
 * change the relay's configuration hash for nothing) and never try to create a Secret that exists
 * (a conflict, a failed reconcile in the relay's status).
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
@WithTestResource(OperatorRestartTest.ServedBefore.class)
@RealComponents
class OperatorRestartTest {
    static {
        OperatorAssertions.waitPatiently(Duration.ofSeconds(60));
    }

    @Inject KubernetesClient client;

    @Test
    void theFirstReconcileKeepsTheRelaySecretItFindsAndFailsNothing() {
        String ns = ServedBefore.namespace;
        await().untilAsserted(
                        () -> {
                            MailRoute route =
                                    client.resources(MailRoute.class)
                                            .inNamespace(ns)
                                            .withName("via-smarthost")
                                            .get();
                            OperatorAssertions.assertCondition(
                                    route.getStatus().conditions, "Ready", "True", "Ready");
                            assertThat(decode(saslSecret(ns), "sasl_passwd"))
                                    .contains("[smtp.example.net]:587 relay-user:s3cret-Pa55");
                        });
        Secret sasl = saslSecret(ns);
        assertThat(decode(sasl, PostfixConfig.HASH_KEY))
                .as("the hash-key of the Secret that was there before the operator started")
                .isEqualTo(ServedBefore.hashKey);
        Map<String, String> files =
                client.configMaps()
                        .inNamespace(ns)
                        .withName(RelayObjects.configMapName("relay"))
                        .get()
                        .getData();
        assertThat(files.get("config-hash"))
                .isEqualTo(
                        new PostfixConfig(
                                        files.get("main.cf"),
                                        files.get("transport"),
                                        files.get("tls_policy"),
                                        decode(sasl, "sasl_passwd"),
                                        List.of())
                                .hash(ServedBefore.hashKey));
        assertThat(ServedBefore.relayReasons)
                .as("reasons of the relay's conditions, every status the relay has had")
                .isNotEmpty()
                .doesNotContain(Reason.RECONCILE_ERROR);
    }

    private Secret saslSecret(String ns) {
        return client.secrets()
                .inNamespace(ns)
                .withName(RelayObjects.saslSecretName("relay"))
                .get();
    }

    private static String decode(Secret secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    /**
     * What an operator that ran before left (a relay, a route with smarthost credentials, the
     * relay's SASL Secret with its hash-key), written before this test's operator starts, and a
     * watch on the relay's conditions from then on.
     */
    public static class ServedBefore implements QuarkusTestResourceLifecycleManager {
        static volatile String namespace;
        static volatile String hashKey;
        static final List<String> relayReasons = new CopyOnWriteArrayList<>();
        private Watch watch;

        @Override
        public Map<String, String> start() {
            KubernetesClient client = ControlPlane.get().client();
            namespace = "served-before-" + UUID.randomUUID().toString().substring(0, 8);
            hashKey = PostfixConfig.newHashKey();
            Namespace ns =
                    new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(namespace)
                            .endMetadata()
                            .build();
            client.resource(ns).create();
            MailRelay relay = client.resource(Resources.relay(namespace, "relay")).create();
            client.resource(
                            new SecretBuilder()
                                    .withNewMetadata()
                                    .withName("smarthost-auth")
                                    .withNamespace(namespace)
                                    .addToLabels("mailroute.io/credentials", "true")
                                    .endMetadata()
                                    .withType("kubernetes.io/basic-auth")
                                    .withStringData(
                                            Map.of(
                                                    "username", "relay-user",
                                                    "password", "s3cret-Pa55"))
                                    .build())
                    .create();
            MailRoute route =
                    Resources.pinnedRoute(
                            namespace, "via-smarthost", "relay", "unused.example", "example.org");
            route.getSpec().target = new RouteTarget();
            route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
            route.getSpec().target.relay.authSecretRef = new SecretKeys("smarthost-auth");
            route.getSpec().tls = TlsPolicy.VERIFY;
            client.resource(route).create();
            // the relay's Secret as the operator writes it; its password map from an older
            // credential, which the operator brings up to date
            client.resource(
                            new SecretBuilder()
                                    .withMetadata(
                                            RelayObjects.metadata(
                                                    relay,
                                                    RelayObjects.saslSecretName("relay"),
                                                    RelayObjects.COMPONENT_SASL))
                                    .editMetadata()
                                    .addToOwnerReferences(
                                            new io.fabric8.kubernetes.api.model
                                                            .OwnerReferenceBuilder()
                                                    .withApiVersion(relay.getApiVersion())
                                                    .withKind(relay.getKind())
                                                    .withName("relay")
                                                    .withUid(relay.getMetadata().getUid())
                                                    .build())
                                    .endMetadata()
                                    .withType("Opaque")
                                    .withData(
                                            Map.of(
                                                    "sasl_passwd",
                                                    base64(
                                                            "[smtp.example.net]:587"
                                                                    + " relay-user:old-password\n"),
                                                    PostfixConfig.HASH_KEY,
                                                    base64(hashKey)))
                                    .build())
                    .create();
            watch =
                    client.resources(MailRelay.class)
                            .inNamespace(namespace)
                            .withName("relay")
                            .watch(
                                    new Watcher<>() {
                                        @Override
                                        public void eventReceived(Action action, MailRelay r) {
                                            if (r.getStatus() != null
                                                    && r.getStatus().conditions != null) {
                                                r.getStatus().conditions.stream()
                                                        .map(c -> c.getReason())
                                                        .forEach(relayReasons::add);
                                            }
                                        }

                                        @Override
                                        public void onClose(WatcherException cause) {}
                                    });
            return Map.of();
        }

        private static String base64(String text) {
            return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void stop() {
            if (watch != null) {
                watch.close();
            }
            if (namespace != null) {
                ControlPlane.get().client().namespaces().withName(namespace).delete();
            }
        }
    }
}
