package io.mailroute.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;

/**
 * What the relay reconciler computed before it runs the dependents: the rendered configuration and the image to run.
 * Dependents read it from the reconcile context, so rendering happens once per reconciliation.
 */
public record RelayRenderContext(PostfixConfig config, String image) {

    public static RelayRenderContext of(Context<MailRelay> context) {
        return context.managedWorkflowAndDependentResourceContext()
                .getMandatory(RelayRenderContext.class, RelayRenderContext.class);
    }

    public void putInto(Context<MailRelay> context) {
        context.managedWorkflowAndDependentResourceContext().put(RelayRenderContext.class, this);
    }
}
