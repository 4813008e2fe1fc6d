package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Which namespaces may attach {@link MailRoute}s to a relay (like Gateway API allowedRoutes). */
public class AllowedRoutes {
    @Default("Same")
    @JsonPropertyDescription(
            "Same: only routes in the relay's namespace; All: any namespace; Selector: namespaces "
                    + "whose labels match selector.")
    public From from = From.Same;

    @JsonPropertyDescription("Namespace label selector, used when from is Selector.")
    public LabelSelector selector;

    /** Namespace attachment modes. */
    public enum From {
        Same,
        All,
        Selector
    }
}
