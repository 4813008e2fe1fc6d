package io.mailroute.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The relay's SASL password map and the key of the public configuration hash ({@code hash-key}, see
 * {@link PostfixConfig#hash(String)}); exists only while some route uses credentials (see {@link NeedsSaslSecret}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = RelayObjects.MANAGED_SELECTOR))
public class RelaySaslSecretDependent extends CRUDKubernetesDependentResource<Secret, MailRelay> {
    public static final String KEY = "sasl_passwd";

    @Override
    protected Secret desired(MailRelay relay, Context<MailRelay> context) {
        RelayRenderContext render = RelayRenderContext.of(context);
        String saslPasswd = render.config().saslPasswd();
        return new SecretBuilder()
                .withMetadata(RelayObjects.metadata(relay, RelayObjects.saslSecretName(relay.getMetadata().getName()),
                        RelayObjects.COMPONENT_SASL))
                .withType("Opaque")
                .withData(Map.of(KEY, base64(saslPasswd), PostfixConfig.HASH_KEY, base64(render.hashKey())))
                .build();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
