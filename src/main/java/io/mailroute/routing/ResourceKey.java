package io.mailroute.routing;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** namespace/name of a namespaced object; sorts and prints as {@code namespace/name}. */
public record ResourceKey(String namespace, String name) implements Comparable<ResourceKey> {
    public static ResourceKey of(HasMetadata resource) {
        return new ResourceKey(
                resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }

    @Override
    public int compareTo(ResourceKey other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
