package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mailroute.api.v1alpha1.MailRelay;
import java.util.Map;
import java.util.TreeMap;

/** Names and labels of the objects a {@link MailRelay} owns. */
public final class RelayObjects {
    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";

    /** {@link #NAME_LABEL} of every relay pod (and of the objects around it). */
    public static final String RELAY_APP = "mailroute-relay";

    public static final String MANAGED_BY = "mailroute-operator";
    public static final String RELAY_LABEL = "mailroute.io/relay";

    /**
     * {@link #COMPONENT_LABEL} values: the pods and what serves them, the ConfigMap, the SASL
     * Secret.
     */
    public static final String COMPONENT_RELAY = "relay";

    public static final String COMPONENT_CONFIG = "relay-config";
    public static final String COMPONENT_SASL = "relay-sasl";
    public static final String CONFIG_HASH_ANNOTATION = "mailroute.io/config-hash";

    /** Label selector of every relay ConfigMap, for informers. */
    public static final String CONFIG_MAP_SELECTOR =
            MANAGED_BY_LABEL + "=" + MANAGED_BY + "," + COMPONENT_LABEL + "=" + COMPONENT_CONFIG;

    /**
     * Label selector of every object a relay owns, for the dependents' informers: the operator
     * caches only objects it created, never every Secret or ConfigMap it can see.
     */
    public static final String MANAGED_SELECTOR = MANAGED_BY_LABEL + "=" + MANAGED_BY;

    /** Label selector of every relay pod, for the pod informer. */
    public static final String POD_SELECTOR = NAME_LABEL + "=" + RELAY_APP;

    public static final int SMTP_PORT = 25;

    private RelayObjects() {}

    public static String configMapName(String relay) {
        return relay + "-config";
    }

    /** Shard {@code n} (1-based) of a large relay configuration, see {@link RelayConfigLayout}. */
    public static String configShardName(String relay, int n) {
        return configMapName(relay) + "-" + n;
    }

    /** Whether {@code name} is one of the relay's shard ConfigMaps ({@link #configShardName}). */
    public static boolean isConfigShardName(String relay, String name) {
        String prefix = configMapName(relay) + "-";
        if (name == null || !name.startsWith(prefix)) {
            return false;
        }
        String n = name.substring(prefix.length());
        return n.matches("[1-9][0-9]{0,2}");
    }

    public static String saslSecretName(String relay) {
        return relay + "-sasl";
    }

    /** Service and StatefulSet share the relay's name. */
    public static String workloadName(String relay) {
        return relay;
    }

    /** Labels selecting the relay's pods. */
    public static Map<String, String> selectorLabels(MailRelay relay) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(NAME_LABEL, RELAY_APP);
        labels.put(INSTANCE_LABEL, relay.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> labels(MailRelay relay, String component) {
        Map<String, String> labels = new TreeMap<>(selectorLabels(relay));
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(COMPONENT_LABEL, component);
        labels.put(RELAY_LABEL, relay.getMetadata().getName());
        return labels;
    }

    /** The name of the relay a pod belongs to (its {@link #INSTANCE_LABEL}), or null. */
    public static String relayOf(HasMetadata pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return labels == null ? null : labels.get(INSTANCE_LABEL);
    }

    /**
     * Whether an object carries the labels of {@link #CONFIG_MAP_SELECTOR} (a relay's ConfigMap or
     * one of its shards) and names its relay ({@link #RELAY_LABEL}), for a reader of an informer
     * with a wider selector.
     */
    public static boolean isRelayConfig(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null
                && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
                && COMPONENT_CONFIG.equals(labels.get(COMPONENT_LABEL))
                && labels.get(RELAY_LABEL) != null;
    }

    public static ObjectMeta metadata(MailRelay relay, String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(relay.getMetadata().getNamespace())
                .withLabels(labels(relay, component))
                .build();
    }
}
