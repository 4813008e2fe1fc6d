package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Secret in the route's namespace holding SASL credentials. */
public class SecretKeys {
    @Required
    @Pattern(ApiPatterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of a Secret in the MailRoute's namespace.")
    public String name;

    @Pattern(ApiPatterns.SECRET_KEY)
    @Default("username")
    @JsonPropertyDescription("Key of the SASL user name in the Secret.")
    public String usernameKey = "username";

    @Pattern(ApiPatterns.SECRET_KEY)
    @Default("password")
    @JsonPropertyDescription("Key of the SASL password in the Secret.")
    public String passwordKey = "password";

    public SecretKeys() {
    }

    public SecretKeys(String name) {
        this.name = name;
    }
}
