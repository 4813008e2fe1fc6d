package io.mailroute.routing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/** namespace/name of a namespaced object; sorts and prints as {@code namespace/name}. */
public record ResourceKey(String namespace, String name) implements Comparable<ResourceKey> {
    public static ResourceKey of(HasMetadata resource) {
        return new ResourceKey(
                resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    }

    /**
     * The order of {@code toString()} (the same result as comparing the two strings), without
     * building them: planning sorts and looks up 100,000 keys, and the concatenations were a sixth
     * of its time. Not simply namespace then name: {@code a-b/x} sorts before {@code a/x} because
     * '-' is before '/'.
     */
    @Override
    public int compareTo(ResourceKey other) {
        // String.valueOf: toString() prints a missing part as "null"
        String ns = String.valueOf(namespace);
        String otherNs = String.valueOf(other.namespace);
        if (ns.equals(otherNs)) {
            // same "namespace/" prefix: the names decide, as they do in the whole strings
            return String.valueOf(name).compareTo(String.valueOf(other.name));
        }
        int shorter = Math.min(ns.length(), otherNs.length());
        for (int i = 0; i < shorter; i++) {
            char a = ns.charAt(i);
            char b = otherNs.charAt(i);
            if (a != b) {
                return a - b;
            }
        }
        // one namespace is a prefix of the other: its '/' meets the other's next character
        char a = ns.length() == shorter ? '/' : ns.charAt(shorter);
        char b = otherNs.length() == shorter ? '/' : otherNs.charAt(shorter);
        if (a != b) {
            return a - b;
        }
        // only when a namespace holds '/' (never a Kubernetes namespace)
        return toString().compareTo(other.toString());
    }

    /**
     * As the record's own equals, written out: a record's equals and hashCode go through method
     * handles, which the operator image's C1-only JIT (-XX:TieredStopAtLevel=1) does not inline,
     * and keys are looked up for every route and domain at every DNS look.
     */
    @Override
    public boolean equals(Object o) {
        return o == this
                || (o instanceof ResourceKey k
                        && Objects.equals(name, k.name)
                        && Objects.equals(namespace, k.namespace));
    }

    /** The record's own hash (31 times the namespace's hash plus the name's), written out. */
    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(namespace) + Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
