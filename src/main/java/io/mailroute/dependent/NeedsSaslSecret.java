package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.mailroute.api.v1alpha1.MailRelay;

/**
 * The SASL Secret is reconciled only while the rendered configuration has credentials; otherwise it
 * is deleted.
 */
public class NeedsSaslSecret implements Condition<Secret, MailRelay> {
    @Override
    public boolean isMet(
            DependentResource<Secret, MailRelay> dependent,
            MailRelay relay,
            Context<MailRelay> context) {
        return RelayRenderContext.of(context).config().hasSasl();
    }
}
