package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.api.v1alpha1.MxHostStatus;
import io.mailroute.api.v1alpha1.RelayRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How the informer cache keeps MailRoutes: without {@code metadata.managedFields}, and with the
 * strings that most routes share (condition types, statuses, reasons and messages, relay names,
 * states, MX host names, timestamps of the same second) held once instead of once per route, and a
 * route's domains once for its spec and its status. Nothing in the operator reads managed fields
 * (statuses are written by server-side apply, which needs none on the client); at 10,000 routes
 * they were almost half of each cached route, and the shared strings a large part of the rest
 * (bench/scale.sh, class histogram of the operator's heap). Both controllers read this one cache
 * ({@link SharedCaches}).
 */
public class LeanRouteStore extends TransformingItemStore<MailRoute> {

    /** The MailRoute controller's cache: the whole route but its managed fields. */
    public LeanRouteStore() {
        super(lean());
    }

    static UnaryOperator<MailRoute> lean() {
        return route -> {
            ObjectMeta meta = route.getMetadata();
            if (meta != null) {
                meta.setManagedFields(null);
                // held by the routes created in the same second. Not name, namespace or
                // resourceVersion: TransformingItemStore puts the originals back.
                meta.setCreationTimestamp(shared(meta.getCreationTimestamp()));
            }
            MailRouteSpec spec = route.getSpec();
            if (spec != null) {
                if (spec.domains != null) {
                    List<String> domains = new ArrayList<>(spec.domains.size());
                    for (String domain : spec.domains) {
                        domains.add(shared(domain));
                    }
                    spec.domains = domains;
                }
                if (spec.relayRefs != null) {
                    for (RelayRef ref : spec.relayRefs) {
                        if (ref != null) {
                            ref.name = shared(ref.name);
                            ref.namespace = shared(ref.namespace);
                        }
                    }
                }
            }
            MailRouteStatus status = route.getStatus();
            if (status == null) {
                return route;
            }
            if (status.conditions != null) {
                for (Condition c : status.conditions) {
                    c.setType(shared(c.getType()));
                    c.setStatus(shared(c.getStatus()));
                    c.setReason(shared(c.getReason()));
                    c.setMessage(shared(c.getMessage()));
                    c.setLastTransitionTime(shared(c.getLastTransitionTime()));
                }
            }
            status.target = shared(status.target);
            status.delivery = shared(status.delivery);
            if (status.domains != null) {
                for (DomainStatus d : status.domains) {
                    d.domain = shared(d.domain);
                    d.relay = shared(d.relay);
                    d.nextHop = shared(d.nextHop);
                    d.state = shared(d.state);
                    d.message = shared(d.message);
                }
            }
            if (status.resolutions != null) {
                for (DomainResolution r : status.resolutions) {
                    r.domain = shared(r.domain);
                    r.checkedAt = shared(r.checkedAt);
                    r.nextCheckAt = shared(r.nextCheckAt);
                    r.result = shared(r.result);
                    r.reason = shared(r.reason);
                    r.message = shared(r.message);
                    if (r.mxHosts != null) {
                        for (MxHostStatus host : r.mxHosts) {
                            host.host = shared(host.host);
                            host.status = shared(host.status);
                        }
                    }
                    if (r.pinned != null) {
                        r.pinned.replaceAll(LeanRouteStore::shared);
                    }
                }
            }
            return route;
        };
    }

    private static String shared(String value) {
        return value == null ? null : value.intern();
    }
}
