package io.mailroute.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Postfix relay run by the operator; {@link MailRoute}s attach to it. */
@Group(MailRelay.GROUP)
@Version(MailRelay.VERSION)
@ShortNames("mrelay")
@AdditionalPrinterColumn(
        name = "Hostname",
        jsonPath = ".spec.hostname",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Routes",
        jsonPath = ".status.attachedRoutes",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Programmed",
        jsonPath = ".status.conditions[?(@.type==\"Programmed\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class MailRelay extends CustomResource<MailRelaySpec, MailRelayStatus>
        implements Namespaced {
    public static final String GROUP = "mailroute.io";
    public static final String VERSION = "v1alpha1";
}
