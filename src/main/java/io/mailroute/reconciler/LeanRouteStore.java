package io.mailroute.reconciler;

import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.mailroute.api.v1alpha1.MailRoute;

/**
 * The informer caches of MailRoutes keep each route without its {@code metadata.managedFields}.
 * Nothing in the operator reads them (statuses are written by server-side apply, which needs no
 * managed fields on the client), and for a route whose status the operator applies they are a large
 * part of the object: at 10,000 routes, two caches of them would cost tens of MiB of heap.
 */
public class LeanRouteStore extends TransformingItemStore<MailRoute> {
    public LeanRouteStore() {
        super(
                route -> {
                    if (route.getMetadata() != null) {
                        route.getMetadata().setManagedFields(null);
                    }
                    return route;
                });
    }
}
