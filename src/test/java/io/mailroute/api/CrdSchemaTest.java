package io.mailroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mailroute.testing.ControlPlaneExtension;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.TestNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The committed CRDs, applied to the real API server, accept good resources and reject bad ones
 * readably.
 */
@ExtendWith(ControlPlaneExtension.class)
@RealComponents
class CrdSchemaTest {

    static String route(String domain, String host, String port, String tls) {
        return """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata:
                  name: r
                spec:
                  relayRefs: [{name: relay}]
                  domains: ["%s"]
                  target:
                    hosts: [{host: "%s", port: %s}]
                  tls: %s
                """
                .formatted(domain, host, port, tls);
    }

    static GenericKubernetesResource create(
            KubernetesClient client, TestNamespace ns, String yaml) {
        GenericKubernetesResource resource =
                client.getKubernetesSerialization()
                        .unmarshal(yaml, GenericKubernetesResource.class);
        return client.genericKubernetesResources("mailroute.io/v1alpha1", resource.getKind())
                .inNamespace(ns.name())
                .resource(resource)
                .create();
    }

    @Test
    void validRouteIsStoredWithDefaults(KubernetesClient client, TestNamespace ns) {
        GenericKubernetesResource created =
                create(
                        client,
                        ns,
                        """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata:
                  name: outlook
                spec:
                  relayRefs: [{name: relay}]
                  domains: [outlook.com, Bücher.example.]
                  target:
                    hosts: [{host: outlook-com.olc.protection.outlook.com}]
                """);
        assertThat(created.<Integer>get("spec", "target", "hosts", 0, "port")).isEqualTo(25);
        assertThat(created.<Boolean>get("spec", "target", "hosts", 0, "lookupMx")).isFalse();
        assertThat(created.<String>get("spec", "tls")).isEqualTo("may");
        assertThat(created.<String>get("spec", "validation")).isEqualTo("Enforce");
        assertThat(created.<Boolean>get("spec", "includeSubdomains")).isFalse();
    }

    @Test
    void validRelayIsStoredWithDefaults(KubernetesClient client, TestNamespace ns) {
        GenericKubernetesResource created =
                create(
                        client,
                        ns,
                        """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata:
                  name: relay
                spec:
                  hostname: relay.example.com
                  acceptFrom: [10.0.0.0/8, "2001:db8::/32"]
                """);
        assertThat(created.<Integer>get("spec", "replicas")).isEqualTo(1);
    }

    /**
     * Kubernetes 1.20 names list fields without their index (spec.domains, not spec.domains[0]).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "whitespace in domain   | foo bar.com   | mx.example.com | 25    | may  | spec.domains: Invalid value",
                "comma in domain        | a.com,b.com   | mx.example.com | 25    | may  | spec.domains: Invalid value",
                "colon in domain        | a.com:25      | mx.example.com | 25    | may  | spec.domains: Invalid value",
                "underscore in domain   | my_host.com   | mx.example.com | 25    | may  | spec.domains: Invalid value",
                "leading hyphen label   | -bad.com      | mx.example.com | 25    | may  | spec.domains: Invalid value",
                "single label           | localhost     | mx.example.com | 25    | may  | spec.domains: Invalid value",
                "bracket in host        | example.com   | [mx.example]   | 25    | may  | spec.target.hosts.host: Invalid value",
                "port too large         | example.com   | mx.example.com | 70000 | may  | spec.target.hosts.port: Invalid value",
                "port zero              | example.com   | mx.example.com | 0     | may  | spec.target.hosts.port: Invalid value",
                "unknown tls policy     | example.com   | mx.example.com | 25    | tls13 | spec.tls: Unsupported value: \"tls13\"",
            })
    void schemaRejectsBadInputWithTheFieldInTheMessage(
            String label,
            String domain,
            String host,
            String port,
            String tls,
            String field,
            KubernetesClient client,
            TestNamespace ns) {
        assertThatThrownBy(() -> create(client, ns, route(domain, host, port, tls)))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("MailRoute.mailroute.io \"r\" is invalid")
                .hasMessageContaining(field)
                .hasMessageContaining("code=422");
    }

    @Test
    void schemaRequiresDomainsRelayRefsAndTarget(KubernetesClient client, TestNamespace ns) {
        assertThatThrownBy(
                        () ->
                                create(
                                        client,
                                        ns,
                                        """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRoute
                metadata:
                  name: r
                spec:
                  domains: []
                """))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.relayRefs: Required value")
                .hasMessageContaining("spec.target: Required value")
                .hasMessageContaining("spec.domains: Invalid value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "concurrency zero       | may     | concurrency: 0         | spec.delivery.concurrency: Invalid value",
                "rate delay too long    | may     | rateDelaySeconds: 3601 | spec.delivery.rateDelaySeconds: Invalid value",
                "recipient limit one    | may     | recipientLimit: 1      | spec.delivery.recipientLimit: Invalid value",
            })
    // The CEL rule "implicitTls needs tls encrypt, verify or secure" is not enforced by the test
    // API server
    // (v1.20, before CEL validation); the operator refuses such a route with reason InvalidDelivery
    // (RouteTranslatorDeliveryTest).
    void schemaRejectsBadDeliverySettings(
            String label,
            String tls,
            String delivery,
            String message,
            KubernetesClient client,
            TestNamespace ns) {
        assertThatThrownBy(
                        () ->
                                create(
                                        client,
                                        ns,
                                        route("example.com", "smtp.example.net", "465", tls)
                                                + "  delivery: {"
                                                + delivery
                                                + "}\n"))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("code=422");
    }

    @Test
    void implicitTlsWithMandatoryTlsIsStored(KubernetesClient client, TestNamespace ns) {
        GenericKubernetesResource created =
                create(
                        client,
                        ns,
                        route("example.com", "smtp.example.net", "465", "encrypt")
                                + "  delivery: {implicitTls: true, concurrency: 2, rateDelaySeconds: 1, recipientLimit: 10}\n");
        assertThat(created.<Boolean>get("spec", "delivery", "implicitTls")).isTrue();
        assertThat(created.<Integer>get("spec", "delivery", "concurrency")).isEqualTo(2);
    }
}
