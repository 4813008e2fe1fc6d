package io.mailroute.routing;

import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.postfix.PostfixInputException;
import io.mailroute.postfix.SaslCredentials;
import io.mailroute.status.StatusNames.Reason;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Secrets may supply SMTP AUTH credentials, and reading them. The operator reads Secrets with
 * its own rights on behalf of whoever may create a MailRoute or MailRelay, and the relay sends the
 * values to the next hop the resource names. So only Secrets made for this purpose are read:
 * labelled {@value #LABEL}{@code : "true"} and of type {@code kubernetes.io/basic-auth} or {@code
 * Opaque}. Any other Secret of the namespace (a service-account token, a TLS key, another
 * application's password) is refused by name, and its values are never decoded.
 */
public final class CredentialSecrets {
    /** Label that marks a Secret as SMTP credentials for mailroute. */
    public static final String LABEL = "mailroute.io/credentials";

    /** Secret types a credentials Secret may have. */
    public static final Set<String> TYPES = Set.of("kubernetes.io/basic-auth", "Opaque");

    private CredentialSecrets() {}

    /** Null when the Secret may supply credentials, else why not (names no values). */
    public static String refusal(SecretInput secret) {
        if (!"true".equals(secret.labels().get(LABEL))) {
            return "it is not labelled "
                    + LABEL
                    + ": \"true\"; only Secrets made for mailroute credentials are read";
        }
        if (!TYPES.contains(secret.type())) {
            return "its type is "
                    + secret.type()
                    + "; credentials Secrets must be of type kubernetes.io/basic-auth "
                    + "or Opaque";
        }
        return null;
    }

    /**
     * The credentials of {@code ref}, a Secret in {@code namespace}; {@code field} names the
     * reference in messages, e.g. {@code spec.target.relay.authSecretRef}.
     *
     * @throws RouteRejectedException SecretNotFound, SecretNotForCredentials, SecretKeyMissing or
     *     InvalidCredentials
     */
    public static SaslCredentials read(
            String field, String namespace, SecretKeys ref, RouteInputs inputs)
            throws RouteRejectedException {
        if (ref.name == null || ref.name.isEmpty()) {
            throw new RouteRejectedException(Reason.INVALID_TARGET, field + ".name: must be set");
        }
        String secretName = namespace + "/" + ref.name;
        SecretInput secret;
        try {
            secret =
                    inputs.secret(namespace, ref.name)
                            .orElseThrow(
                                    () ->
                                            new RouteRejectedException(
                                                    Reason.SECRET_NOT_FOUND,
                                                    "Secret "
                                                            + secretName
                                                            + " named in "
                                                            + field
                                                            + " does not exist"));
        } catch (SecretValues.InvalidSecretException e) {
            // data that is not base64 (only files given to `mailroute render` can hold it): named,
            // never shown
            throw new RouteRejectedException(Reason.INVALID_SECRET, e.getMessage());
        }
        String refusal = refusal(secret);
        if (refusal != null) {
            throw new RouteRejectedException(
                    Reason.SECRET_NOT_FOR_CREDENTIALS,
                    "Secret " + secretName + " named in " + field + " cannot be used: " + refusal);
        }
        Map<String, String> data = secret.data();
        String usernameKey = ref.usernameKey == null ? "username" : ref.usernameKey;
        String passwordKey = ref.passwordKey == null ? "password" : ref.passwordKey;
        for (String key : List.of(usernameKey, passwordKey)) {
            if (!data.containsKey(key)) {
                throw new RouteRejectedException(
                        Reason.SECRET_KEY_MISSING, "Secret " + secretName + " has no key " + key);
            }
        }
        try {
            return new SaslCredentials(data.get(usernameKey), data.get(passwordKey));
        } catch (PostfixInputException e) {
            throw new RouteRejectedException(
                    Reason.INVALID_CREDENTIALS, "Secret " + secretName + ": " + e.getMessage());
        }
    }
}
