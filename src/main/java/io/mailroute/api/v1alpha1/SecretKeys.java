package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * A Secret holding SASL credentials, in the namespace of the resource that names it. Only Secrets
 * made for this purpose are read: labelled {@code mailroute.io/credentials: "true"}, type {@code
 * kubernetes.io/basic-auth} or {@code Opaque} (io.mailroute.routing.CredentialSecrets).
 */
public class SecretKeys {
    @Required
    @Pattern(ApiPatterns.OBJECT_NAME)
    @JsonPropertyDescription(
            "Name of a Secret in the same namespace, labelled mailroute.io/credentials: \"true\" "
                    + "and of type kubernetes.io/basic-auth or Opaque; any other Secret is refused (SecretNotForCredentials) "
                    + "and never read.")
    public String name;

    @Pattern(ApiPatterns.SECRET_KEY)
    @Default("username")
    @JsonPropertyDescription("Key of the SASL user name in the Secret.")
    public String usernameKey = "username";

    @Pattern(ApiPatterns.SECRET_KEY)
    @Default("password")
    @JsonPropertyDescription("Key of the SASL password in the Secret.")
    public String passwordKey = "password";

    public SecretKeys() {}

    public SecretKeys(String name) {
        this.name = name;
    }
}
