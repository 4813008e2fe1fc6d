package io.mailroute.validation;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.ValidationPolicy;
import io.mailroute.status.StatusNames.Reason;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides from a route's spec and the resolutions stored in its status how each domain is rendered.
 * Because the decision reads only the route (spec + status), every reconciler and every operator
 * restart renders the same configuration: the last known good MX hosts survive in status.
 */
public final class RenderPolicy {
    private final int hardFailureThreshold;

    public RenderPolicy(int hardFailureThreshold) {
        this.hardFailureThreshold = hardFailureThreshold;
    }

    public RenderDecision decide(MailRoute route, String domain) {
        return decide(route, domain, resolution(route, domain));
    }

    /**
     * Whether the route's domains render the same from the resolutions {@code after} as from {@code
     * before} (either may be null: none). Most re-checks only move {@code checkedAt} and {@code
     * nextCheckAt}; a relay need not be planned again for them.
     */
    public boolean sameRendering(
            MailRoute route, List<DomainResolution> before, List<DomainResolution> after) {
        if (route.getSpec() == null
                || route.getSpec().target == null
                || route.getSpec().target.kind() == null) {
            return false;
        }
        Set<String> domains = new HashSet<>();
        for (List<DomainResolution> list : Arrays.asList(before, after)) {
            if (list != null) {
                list.forEach(r -> domains.add(r.domain));
            }
        }
        for (String domain : domains) {
            if (domain == null
                    || !decide(route, domain, resolution(before, domain))
                            .equals(decide(route, domain, resolution(after, domain)))) {
                return false;
            }
        }
        return true;
    }

    /** The resolution of {@code domain} in {@code resolutions} (null: none), or null. */
    public static DomainResolution resolution(List<DomainResolution> resolutions, String domain) {
        if (resolutions == null) {
            return null;
        }
        for (DomainResolution r : resolutions) {
            if (domain.equals(r.domain)) {
                return r;
            }
        }
        return null;
    }

    /** How {@code domain} of {@code route} renders given its {@code resolution} (null: none). */
    public RenderDecision decide(MailRoute route, String domain, DomainResolution resolution) {
        ValidationPolicy policy =
                route.getSpec().validation == null
                        ? ValidationPolicy.Enforce
                        : route.getSpec().validation;
        boolean mx = route.getSpec().target.kind() == RouteTarget.TargetKind.MX;
        if (policy == ValidationPolicy.Off) {
            return mx ? new RenderDecision.RecipientMx() : new RenderDecision.AsSpecified();
        }
        if (mx) {
            if (resolution != null && resolution.pinned != null && !resolution.pinned.isEmpty()) {
                // Pins stored by an older operator may hold names that cannot be a next hop: skip
                // those only.
                List<String> usable =
                        resolution.pinned.stream()
                                .filter(h -> DomainValidator.hostNameProblem(h) == null)
                                .toList();
                if (!usable.isEmpty()) {
                    return new RenderDecision.PinnedMx(usable);
                }
                return new RenderDecision.Withheld(
                        Reason.INVALID_MX_HOST_NAME,
                        "no usable MX host to pin for "
                                + domain
                                + ": "
                                + resolution.pinned.stream()
                                        .map(DomainValidator::hostNameProblem)
                                        .collect(java.util.stream.Collectors.joining("; ")));
            }
            if (policy == ValidationPolicy.Warn) {
                return new RenderDecision.RecipientMx();
            }
            return resolution == null
                    ? new RenderDecision.Withheld(
                            "NotResolvedYet", "waiting for the first MX check of " + domain)
                    : new RenderDecision.Withheld(
                            resolution.reason,
                            "no MX host to pin for " + domain + ": " + resolution.message);
        }
        if (policy == ValidationPolicy.Enforce
                && resolution != null
                && resolution.hardFailures != null
                && resolution.hardFailures >= hardFailureThreshold) {
            return new RenderDecision.Withheld(
                    resolution.reason,
                    resolution.message + " (" + resolution.hardFailures + " consecutive checks)");
        }
        return new RenderDecision.AsSpecified();
    }

    /** The resolution of a domain in the route's status, or null. */
    public static DomainResolution resolution(MailRoute route, String domain) {
        return route.getStatus() == null ? null : resolution(route.getStatus().resolutions, domain);
    }
}
