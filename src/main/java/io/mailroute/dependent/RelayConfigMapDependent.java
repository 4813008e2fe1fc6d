package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;

import java.util.Map;

/** The relay's rendered, non-secret Postfix files (main.cf, transport, tls_policy). */
public class RelayConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, MailRelay> {

    @Override
    protected ConfigMap desired(MailRelay relay, Context<MailRelay> context) {
        PostfixConfig config = RelayRenderContext.of(context).config();
        return new ConfigMapBuilder()
                .withMetadata(RelayObjects.metadata(relay, RelayObjects.configMapName(relay.getMetadata().getName()),
                        RelayObjects.COMPONENT_CONFIG))
                .editMetadata().withAnnotations(Map.of(RelayObjects.CONFIG_HASH_ANNOTATION, config.hash())).endMetadata()
                .withData(config.publicFiles())
                .build();
    }
}
