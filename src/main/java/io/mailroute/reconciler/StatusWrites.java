package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * How the reconcilers write a status they computed: server-side apply of the status subresource
 * (field manager of the controller, forced) without the cached {@code resourceVersion}.
 *
 * <p>With the cached version the API server refuses the apply (409 Conflict) whenever the cache has
 * not yet caught up with the controller's own previous write, or with any other change of the
 * object (a user's edit, the other controller's status): at 10,000 routes several hundred route
 * statuses per run were refused and computed and sent again, each refusal costing API server CPU.
 * Nothing is gained by the check: the SDK never runs two reconciles of one resource at once, so the
 * status being written is always the one computed last, from the operator's current view (the
 * relay's published plan, finished DNS checks, the written ConfigMap). A status computed from a
 * cached object older than a spec change is not wrong either: it carries that older {@code
 * observedGeneration}, and the spec change's own event reconciles the resource again. Only the
 * status subresource is written, so a spec or metadata change by anyone else is never overwritten.
 */
final class StatusWrites {
    private StatusWrites() {}

    /** {@code resource} (the reconciler's copy, not the cached object) with its new status set. */
    static <P extends HasMetadata> UpdateControl<P> apply(P resource) {
        resource.getMetadata().setResourceVersion(null);
        return UpdateControl.patchStatus(resource);
    }
}
