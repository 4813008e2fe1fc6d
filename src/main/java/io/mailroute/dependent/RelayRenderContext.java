package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What the relay reconciler computed before it runs the dependents: the rendered configuration, the
 * image to run, the key of the public configuration hash (kept in the relay's SASL Secret), that
 * hash, the ConfigMap layout and the digested parts of a sharded layout (null when the files are
 * inline or cut in order; for the relay's next rendering, {@link RelayLayoutMemo}). Dependents read
 * it from the reconcile context, so rendering happens once per reconciliation.
 */
public record RelayRenderContext(
        PostfixConfig config,
        String image,
        String hashKey,
        String configHash,
        RelayConfigLayout.Layout layout,
        Map<String, List<RelayConfigLayout.Digested>> digests) {

    /**
     * Puts {@code config} in the order the relay reassembles it, computes its public hash with
     * {@code hashKey}, and how its files go into ConfigMaps ({@link RelayConfigLayout#render}).
     */
    public static RelayRenderContext render(PostfixConfig config, String image, String hashKey) {
        return render(config, image, hashKey, Map.of());
    }

    /**
     * {@link #render(PostfixConfig, String, String)}, taking the digests of unchanged parts from
     * {@code previous}, the {@link #digests} of the relay's last rendering ({@link
     * RelayConfigLayout#render}); the result is the same.
     */
    public static RelayRenderContext render(
            PostfixConfig config,
            String image,
            String hashKey,
            Map<String, List<RelayConfigLayout.Digested>> previous) {
        RelayConfigLayout.Rendered rendered = RelayConfigLayout.render(config, hashKey, previous);
        return new RelayRenderContext(
                rendered.arranged().config(),
                image,
                hashKey,
                rendered.configHash(),
                rendered.layout(),
                rendered.digests());
    }

    /**
     * The hash key in the relay's existing SASL Secret, or a new random one when there is none (or
     * it is unusable): generated once, then kept as long as the Secret exists, so the configuration
     * hash changes only with the files.
     */
    public static String hashKey(Secret existingSaslSecret) {
        if (existingSaslSecret != null && existingSaslSecret.getData() != null) {
            String encoded = existingSaslSecret.getData().get(PostfixConfig.HASH_KEY);
            if (encoded != null) {
                try {
                    byte[] key = Base64.getDecoder().decode(encoded);
                    String text = new String(key, StandardCharsets.UTF_8);
                    if (key.length > 0
                            && key.length <= PostfixConfig.MAX_HASH_KEY_BYTES
                            && text.getBytes(StandardCharsets.UTF_8).length == key.length) {
                        return text;
                    }
                } catch (IllegalArgumentException e) {
                    // not base64: replaced by a new key below
                }
            }
        }
        return PostfixConfig.newHashKey();
    }

    public static RelayRenderContext of(Context<MailRelay> context) {
        return context.managedWorkflowAndDependentResourceContext()
                .getMandatory(RelayRenderContext.class, RelayRenderContext.class);
    }

    public void putInto(Context<MailRelay> context) {
        context.managedWorkflowAndDependentResourceContext().put(RelayRenderContext.class, this);
    }
}
