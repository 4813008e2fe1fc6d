package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.mailroute.api.v1alpha1.RelayPodStatus;
import io.mailroute.dependent.RelayStatefulSetDependent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Asks a relay pod which configuration it runs: {@code GET http://<podIP>:<port "status">/status},
 * a {@code key=value} text written by the relay's entrypoint (state, live, mounted, message); and
 * how its deliveries go: {@code GET .../delivery} ({@link DeliveryReport}; absent on relay images
 * before delivery summaries).
 */
final class RelayPodProbe {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private RelayPodProbe() {}

    /** What one pod said: its status, and its delivery summary or null when it has none. */
    record Probe(RelayPodStatus status, DeliveryReport delivery) {}

    /** {@link #probe(Pod)} and, from a pod that answered it, its delivery summary. */
    static Probe probeWithDelivery(Pod pod) {
        RelayPodStatus status = probe(pod);
        if ("unreachable".equals(status.state)) {
            return new Probe(status, null);
        }
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(uri(pod, "/delivery"))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return new Probe(
                    status,
                    response.statusCode() == 200 ? DeliveryReport.parse(response.body()) : null);
        } catch (IOException e) {
            return new Probe(status, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(status, null);
        }
    }

    private static URI uri(Pod pod, String path) {
        String ip = pod.getStatus().getPodIP();
        return URI.create(
                "http://"
                        + (ip.contains(":") ? "[" + ip + "]" : ip)
                        + ":"
                        + statusPort(pod)
                        + path);
    }

    static RelayPodStatus probe(Pod pod) {
        String name = pod.getMetadata().getName();
        boolean ready = isReady(pod);
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null || ip.isEmpty()) {
            return new RelayPodStatus(name, ready, "unreachable", null, "pod has no IP yet");
        }
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(uri(pod, "/status"))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new RelayPodStatus(
                        name,
                        ready,
                        "unreachable",
                        null,
                        "status endpoint answered HTTP " + response.statusCode());
            }
            Map<String, String> fields = parse(response.body());
            return new RelayPodStatus(
                    name,
                    ready,
                    fields.getOrDefault("state", "unknown"),
                    fields.get("live"),
                    fields.get("message"));
        } catch (IOException e) {
            return new RelayPodStatus(
                    name, ready, "unreachable", null, "status endpoint: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RelayPodStatus(name, ready, "unreachable", null, "interrupted");
        }
    }

    static boolean isReady(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static int statusPort(Pod pod) {
        return pod.getSpec().getContainers().stream()
                .flatMap(
                        c ->
                                c.getPorts() == null
                                        ? java.util.stream.Stream.<ContainerPort>empty()
                                        : c.getPorts().stream())
                .filter(p -> "status".equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElse(RelayStatefulSetDependent.STATUS_PORT);
    }

    static Map<String, String> parse(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String line : body.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return fields;
    }
}
