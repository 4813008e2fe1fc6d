package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A reference from a {@link MailRoute} to the {@link MailRelay} that carries its mail. */
public class RelayRef {
    @Required
    @Pattern(ApiPatterns.OBJECT_NAME)
    @JsonPropertyDescription("Name of the MailRelay.")
    public String name;

    @Pattern(ApiPatterns.NAMESPACE)
    @JsonPropertyDescription("Namespace of the MailRelay; defaults to the route's own namespace.")
    public String namespace;

    public RelayRef() {}

    public RelayRef(String name, String namespace) {
        this.name = name;
        this.namespace = namespace;
    }
}
