package io.mailroute.offline;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * MailRelays, MailRoutes, Secrets and Namespaces read from YAML files (multi-document), as a GitOps repository holds
 * them. Objects without a namespace get {@code default}, as {@code kubectl apply} would.
 */
public record ManifestSet(List<MailRelay> relays, List<MailRoute> routes, List<Secret> secrets,
                          List<Namespace> namespaces, List<String> problems) {

    public static ManifestSet read(List<Path> paths) throws IOException {
        KubernetesSerialization yaml = new KubernetesSerialization();
        ManifestSet set = new ManifestSet(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>());
        for (Path file : files(paths)) {
            String[] documents = Files.readString(file).split("(?m)^---\\s*$");
            for (int i = 0; i < documents.length; i++) {
                if (documents[i].lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                    continue;
                }
                String where = file + (documents.length > 1 ? " (document " + (i + 1) + ")" : "");
                try {
                    set.add(yaml, yaml.unmarshal(documents[i], GenericKubernetesResource.class));
                } catch (RuntimeException e) {
                    set.problems().add(where + ": not a valid Kubernetes object: " + firstLine(e.getMessage()));
                }
            }
        }
        return set;
    }

    private void add(KubernetesSerialization yaml, GenericKubernetesResource object) {
        if (object == null || object.getKind() == null) {
            return;
        }
        if (object.getMetadata().getNamespace() == null && !"Namespace".equals(object.getKind())) {
            object.getMetadata().setNamespace("default");
        }
        switch (object.getKind()) {
            case "MailRelay" -> relays.add(yaml.convertValue(object, MailRelay.class));
            case "MailRoute" -> routes.add(yaml.convertValue(object, MailRoute.class));
            case "Secret" -> secrets.add(yaml.convertValue(object, Secret.class));
            case "Namespace" -> namespaces.add(yaml.convertValue(object, Namespace.class));
            default -> {
                // other objects (Deployments, ...) are not ours to render
            }
        }
    }

    private static List<Path> files(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    files.addAll(walk.filter(Files::isRegularFile)
                            .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                            .sorted().toList());
                }
            } else {
                files.add(path);
            }
        }
        return files;
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse(message);
    }
}
