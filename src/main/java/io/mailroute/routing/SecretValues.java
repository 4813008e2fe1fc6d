package io.mailroute.routing;

import io.fabric8.kubernetes.api.model.Secret;
import io.mailroute.postfix.SafeText;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes a Secret's {@code data} (base64) and {@code stringData} into plain values, in memory
 * only.
 */
public final class SecretValues {
    private SecretValues() {}

    /**
     * A Secret whose {@code data} cannot be decoded; the message names the Secret and key, never
     * the value.
     */
    public static final class InvalidSecretException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSecretException(String message) {
            super(message);
        }
    }

    /**
     * @throws InvalidSecretException when a {@code data} value is not base64 (the API server never
     *     stores such a Secret, but files given to {@code mailroute render} can hold one)
     */
    public static Map<String, String> decode(Secret secret) {
        Map<String, String> values = new HashMap<>();
        if (secret.getData() != null) {
            for (Map.Entry<String, String> entry : secret.getData().entrySet()) {
                String key = entry.getKey();
                try {
                    values.put(
                            key,
                            new String(
                                    Base64.getDecoder()
                                            .decode(
                                                    entry.getValue() == null
                                                            ? ""
                                                            : entry.getValue()),
                                    StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // the JDK's message names the offending character: part of the secret, so not
                    // passed on
                    throw new InvalidSecretException(
                            "Secret "
                                    + ResourceKey.of(secret)
                                    + ": data."
                                    + SafeText.oneLine(key)
                                    + ": not valid base64 (the value is not shown)");
                }
            }
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        return values;
    }
}
