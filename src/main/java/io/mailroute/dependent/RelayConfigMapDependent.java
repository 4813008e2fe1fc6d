package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;
import java.util.Map;

/**
 * The relay's rendered, non-secret Postfix files (main.cf, transport, tls_policy) and {@code
 * config-hash}, the public hash of all files ({@link PostfixConfig#hash(String)}: sasl_passwd
 * enters it only as an HMAC keyed by the SASL Secret): the relay waits until the mounted ConfigMap
 * and Secret agree on it, so a new route is never used before its credentials arrive. A large
 * configuration keeps its maps in shard ConfigMaps ({@link RelayConfigLayout}, written first by
 * {@link RelayConfigShardsDependent}) and only their manifests here.
 */
@KubernetesDependent // its informer is the relay controller's "config-maps", shared with the routes
public class RelayConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, MailRelay> {
    /**
     * ConfigMap key holding {@code PostfixConfig.hash(hashKey)}, read by the relay's entrypoint.
     */
    public static final String CONFIG_HASH_KEY = "config-hash";

    @Override
    protected ConfigMap desired(MailRelay relay, Context<MailRelay> context) {
        RelayRenderContext render = RelayRenderContext.of(context);
        return new ConfigMapBuilder()
                .withMetadata(
                        RelayObjects.metadata(
                                relay,
                                RelayObjects.configMapName(relay.getMetadata().getName()),
                                RelayObjects.COMPONENT_CONFIG))
                .editMetadata()
                .withAnnotations(Map.of(RelayObjects.CONFIG_HASH_ANNOTATION, render.configHash()))
                .endMetadata()
                .withData(render.layout().main())
                .build();
    }

    @Override
    public Result<ConfigMap> match(ConfigMap actual, MailRelay relay, Context<MailRelay> context) {
        return match(actual, desired(relay, context), relay, context);
    }

    @Override
    public Result<ConfigMap> match(
            ConfigMap actual, ConfigMap desired, MailRelay relay, Context<MailRelay> context) {
        return Result.computed(ConfigMapContent.matches(actual, desired), desired);
    }
}
