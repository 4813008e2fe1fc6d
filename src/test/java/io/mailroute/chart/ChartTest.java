package io.mailroute.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Helm chart, rendered by a real Helm 3 engine (helm-java). */
@RealComponents
class ChartTest {
    static final Path CHART = Path.of("charts/mailroute-operator");
    static final KubernetesSerialization YAML = new KubernetesSerialization();

    static List<GenericKubernetesResource> template(UnaryOperator<TemplateCommand> values) {
        String out =
                values.apply(
                                new Helm(CHART)
                                        .template()
                                        .withName("mr")
                                        .withNamespace("mailroute-system"))
                        .call();
        return Arrays.stream(out.split("(?m)^---\\s*$"))
                .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
                .map(doc -> YAML.unmarshal(doc, GenericKubernetesResource.class))
                .toList();
    }

    static List<GenericKubernetesResource> ofKind(
            List<GenericKubernetesResource> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    @Test
    void lintIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.getMessages())
                .as("lint messages")
                .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
        assertThat(result.isFailed()).isFalse();
    }

    @Test
    void chartCrdsAreTheGeneratedOnes() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("crds"))) {
            for (Path crd : files.toList()) {
                assertThat(CHART.resolve("crds").resolve(crd.getFileName()))
                        .as("chart crds/ must equal crds/ (hack/update-crds.sh copies them)")
                        .hasSameTextualContentAs(crd);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void defaultsWatchAllNamespacesWithALeastPrivilegeClusterRole() {
        List<GenericKubernetesResource> objects = template(t -> t);
        GenericKubernetesResource role = ofKind(objects, "ClusterRole").get(0);
        List<Map<String, Object>> rules = role.get("rules");
        assertThat(rules).noneSatisfy(r -> assertThat((List<Object>) r.get("verbs")).contains("*"));
        assertThat(rules)
                .noneSatisfy(r -> assertThat((List<Object>) r.get("resources")).contains("*"));
        assertThat(rules)
                .anySatisfy(
                        r ->
                                assertThat((List<Object>) r.get("resources"))
                                        .contains("mailroutes/status", "mailrelays/status"));
        assertThat(ofKind(objects, "Role"))
                .extracting(o -> o.getMetadata().getName())
                .containsExactly("mr-mailroute-operator-leader-election");
        assertThat(ofKind(objects, "ServiceMonitor"))
                .as("no Prometheus operator API here")
                .isEmpty();
        assertThat(ofKind(objects, "MailRelay")).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void onlyTheRelaysSaslSecretDisruptionBudgetsAndDrainJobsAreEverDeleted() {
        for (List<GenericKubernetesResource> objects :
                List.of(template(t -> t), template(t -> t.set("watchNamespaces[0]", "shop")))) {
            List<Map<String, Object>> rules =
                    Stream.concat(
                                    ofKind(objects, "ClusterRole").stream(),
                                    ofKind(objects, "Role").stream())
                            .flatMap(r -> r.<List<Map<String, Object>>>get("rules").stream())
                            .toList();
            assertThat(rules)
                    .filteredOn(r -> ((List<Object>) r.get("verbs")).contains("delete"))
                    .flatExtracting(r -> (List<Object>) r.get("resources"))
                    .containsExactlyInAnyOrder("secrets", "poddisruptionbudgets", "jobs");
            assertThat(rules)
                    .as("no list/watch on Secrets: RBAC cannot narrow them to the operator's own")
                    .filteredOn(r -> ((List<Object>) r.get("resources")).contains("secrets"))
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat((List<Object>) r.get("verbs"))
                                            .containsExactlyInAnyOrder(
                                                    "get", "create", "update", "delete"));
            assertThat(rules)
                    .filteredOn(r -> ((List<Object>) r.get("resources")).contains("configmaps"))
                    .singleElement()
                    .satisfies(
                            r ->
                                    assertThat((List<Object>) r.get("verbs"))
                                            .containsExactlyInAnyOrder(
                                                    "get", "list", "watch", "create", "update",
                                                    "patch"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void operatorPodIsLockedDown() {
        GenericKubernetesResource deployment =
                ofKind(template(t -> t.set("replicaCount", 2)), "Deployment").get(0);
        assertThat(deployment.<Integer>get("spec", "replicas")).isEqualTo(2);
        assertThat(
                        deployment.<Boolean>get(
                                "spec", "template", "spec", "securityContext", "runAsNonRoot"))
                .isTrue();
        Map<String, Object> container = deployment.get("spec", "template", "spec", "containers", 0);
        assertThat(YAML.asYaml(container))
                .contains(
                        "readOnlyRootFilesystem: true",
                        "allowPrivilegeEscalation: false",
                        "- \"ALL\"",
                        "MAILROUTE_LEADER_ELECTION_NAMESPACE",
                        "/q/health/ready");
        // a slow start (two replicas on a busy node: ~49 s) must not be killed by the liveness
        // probe
        assertThat(container.get("startupProbe")).as("startupProbe").isNotNull();
        assertThat(((Map<String, Object>) container.get("startupProbe")).get("failureThreshold"))
                .isEqualTo(60);
    }

    @Test
    void networkPolicyAllowsDnsOverUdpAndTcp() {
        GenericKubernetesResource policy = ofKind(template(t -> t), "NetworkPolicy").get(0);
        String egress = YAML.asYaml(policy.<Object>get("spec", "egress", 0));
        assertThat(egress).contains("port: 53", "protocol: \"UDP\"", "protocol: \"TCP\"");
        assertThat(ofKind(template(t -> t.set("networkPolicy.enabled", false)), "NetworkPolicy"))
                .isEmpty();
    }

    @Test
    void watchNamespacesUseRolesAndTellTheOperator() {
        List<GenericKubernetesResource> objects =
                template(
                        t -> t.set("watchNamespaces[0]", "shop").set("watchNamespaces[1]", "blog"));
        assertThat(ofKind(objects, "ClusterRole")).isEmpty();
        assertThat(ofKind(objects, "Role"))
                .extracting(o -> o.getMetadata().getNamespace())
                .contains("shop", "blog", "mailroute-system");
        assertThat(YAML.asYaml(ofKind(objects, "Deployment").get(0)))
                .contains("QUARKUS_OPERATOR_SDK_NAMESPACES")
                .contains("shop,blog");
    }

    @Test
    void optionalPiecesAppearWhenAskedFor() {
        List<GenericKubernetesResource> objects =
                template(
                        t ->
                                t.set("serviceMonitor.enabled", true)
                                        .set("defaultRelay.enabled", true)
                                        .set("dnsServers[0]", "10.0.0.10"));
        assertThat(ofKind(objects, "ServiceMonitor")).hasSize(1);
        GenericKubernetesResource relay = ofKind(objects, "MailRelay").get(0);
        assertThat(relay.<String>get("spec", "hostname")).isEqualTo("relay.example.com");
        assertThat(YAML.asYaml(ofKind(objects, "Deployment").get(0)))
                .contains("MAILROUTE_DNS_SERVERS")
                .contains("10.0.0.10");
    }

    @Test
    void valuesSchemaRejectsBadValues() {
        assertThatThrownBy(() -> template(t -> t.set("replicaCount", -1)))
                .hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> template(t -> t.set("watchNamespaces[0]", "Not_A_Namespace")))
                .hasMessageContaining("watchNamespaces");
    }

    /** The chart keeps its own values; its default relay must not drift from the API's defaults. */
    @Test
    void defaultRelayMatchesTheApiDefaults() {
        GenericKubernetesResource relay =
                ofKind(template(t -> t.set("defaultRelay.enabled", true)), "MailRelay").get(0);
        assertThat(relay.<Integer>get("spec", "replicas"))
                .isEqualTo(io.mailroute.api.v1alpha1.Defaults.REPLICAS);
        assertThat(relay.<Map<String, Object>>get("spec"))
                .as("everything else is left to the CRD's defaults")
                .containsOnlyKeys("hostname", "replicas", "acceptFrom", "image");
    }
}
