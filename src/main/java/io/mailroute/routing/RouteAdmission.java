package io.mailroute.routing;

import io.mailroute.api.v1alpha1.AllowedRoutes;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.RelayRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a route references a relay and whether the relay's {@code allowedRoutes} admit
 * the route.
 */
public final class RouteAdmission {
    private RouteAdmission() {}

    /**
     * True when one of the route's relayRefs names the relay (the ref's namespace defaults to the
     * route's).
     */
    public static boolean references(MailRoute route, ResourceKey relay) {
        if (route.getSpec() == null || route.getSpec().relayRefs == null) {
            return false;
        }
        String routeNamespace = route.getMetadata().getNamespace();
        List<RelayRef> refs = route.getSpec().relayRefs;
        // target(ref, namespace).equals(relay), without a key per ref: every plan asks this of
        // every route in the cache
        for (int i = 0; i < refs.size(); i++) {
            RelayRef ref = refs.get(i);
            if (ref != null
                    && Objects.equals(ref.name, relay.name())
                    && Objects.equals(targetNamespace(ref, routeNamespace), relay.namespace())) {
                return true;
            }
        }
        return false;
    }

    /** The relay a ref points to. */
    public static ResourceKey target(RelayRef ref, String routeNamespace) {
        return new ResourceKey(targetNamespace(ref, routeNamespace), ref.name);
    }

    /** The namespace of the relay a ref points to: its own, or else the route's. */
    private static String targetNamespace(RelayRef ref, String routeNamespace) {
        return ref.namespace == null || ref.namespace.isEmpty() ? routeNamespace : ref.namespace;
    }

    /**
     * True when admission depends on the labels of the route's namespace ({@code
     * allowedRoutes.from: Selector}).
     */
    public static boolean needsNamespaceLabels(MailRelay relay) {
        AllowedRoutes allowed = relay.getSpec() == null ? null : relay.getSpec().allowedRoutes;
        return allowed != null && allowed.from == AllowedRoutes.From.Selector;
    }

    /** Null when admitted, else the reason the relay refuses routes from that namespace. */
    public static String refusal(
            MailRelay relay, String routeNamespace, Map<String, String> namespaceLabels) {
        AllowedRoutes allowed = relay.getSpec() == null ? null : relay.getSpec().allowedRoutes;
        AllowedRoutes.From from =
                allowed == null || allowed.from == null ? AllowedRoutes.From.Same : allowed.from;
        String relayNamespace = relay.getMetadata().getNamespace();
        return switch (from) {
            case All -> null;
            case Same ->
                    relayNamespace.equals(routeNamespace)
                            ? null
                            : "MailRelay "
                                    + ResourceKey.of(relay)
                                    + " only accepts routes from its own namespace "
                                    + "(spec.allowedRoutes.from: Same)";
            case Selector ->
                    LabelSelectors.matches(allowed.selector, namespaceLabels)
                            ? null
                            : "namespace "
                                    + routeNamespace
                                    + " does not match spec.allowedRoutes.selector of MailRelay "
                                    + ResourceKey.of(relay);
        };
    }
}
