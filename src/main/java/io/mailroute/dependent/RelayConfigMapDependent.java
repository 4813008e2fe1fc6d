package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;

import java.util.Map;
import java.util.TreeMap;

/**
 * The relay's rendered, non-secret Postfix files (main.cf, transport, tls_policy) and {@code config-hash}, the hash
 * of all files including the SASL Secret: the relay waits until the mounted ConfigMap and Secret agree on it, so a
 * new route is never used before its credentials arrive.
 */
public class RelayConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, MailRelay> {
    /** ConfigMap key holding {@code PostfixConfig.hash()}, read by the relay's entrypoint. */
    public static final String CONFIG_HASH_KEY = "config-hash";


    @Override
    protected ConfigMap desired(MailRelay relay, Context<MailRelay> context) {
        PostfixConfig config = RelayRenderContext.of(context).config();
        return new ConfigMapBuilder()
                .withMetadata(RelayObjects.metadata(relay, RelayObjects.configMapName(relay.getMetadata().getName()),
                        RelayObjects.COMPONENT_CONFIG))
                .editMetadata().withAnnotations(Map.of(RelayObjects.CONFIG_HASH_ANNOTATION, config.hash())).endMetadata()
                .withData(data(config))
                .build();
    }

    static Map<String, String> data(PostfixConfig config) {
        Map<String, String> data = new TreeMap<>(config.publicFiles());
        data.put(CONFIG_HASH_KEY, config.hash());
        return data;
    }
}
