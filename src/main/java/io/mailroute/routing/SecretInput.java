package io.mailroute.routing;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;

/**
 * A Secret as planning sees it: its type and labels, and its decoded values only when it is a
 * credentials Secret ({@link CredentialSecrets#refusal}); any other Secret's values are never
 * decoded. {@link #toString()} shows no values.
 */
public record SecretInput(String type, Map<String, String> labels, Map<String, String> data) {

    public SecretInput {
        type = type == null || type.isEmpty() ? "Opaque" : type;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /**
     * Type and labels of {@code secret}, and its values when (and only when) it may hold mailroute
     * credentials.
     */
    public static SecretInput of(Secret secret) {
        SecretInput meta =
                new SecretInput(secret.getType(), secret.getMetadata().getLabels(), Map.of());
        return CredentialSecrets.refusal(meta) == null
                ? new SecretInput(meta.type(), meta.labels(), SecretValues.decode(secret))
                : meta;
    }

    @Override
    public String toString() {
        return "SecretInput[type=" + type + ", labels=" + labels + ", keys=" + data.keySet() + "]";
    }
}
