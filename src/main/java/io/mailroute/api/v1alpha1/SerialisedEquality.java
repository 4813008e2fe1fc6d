package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Base of the status classes: two objects are equal when they serialise to the same JSON tree, the
 * form in which a status is patched. The reconcilers patch a status only when the new one differs
 * from the stored one, so a field added to a status class is compared (and written) without
 * touching any equals or hashCode. Nothing is ignored but what Jackson does not write
 * ({@code @JsonIgnore}, and nulls under {@code @JsonInclude(NON_NULL)}).
 */
public abstract class SerialisedEquality {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && tree(this).equals(tree(o));
    }

    @Override
    public final int hashCode() {
        return tree(this).hashCode();
    }

    private static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }
}
