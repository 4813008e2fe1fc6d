package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.SafeText;
import io.mailroute.status.StatusNames.Reason;
import io.mailroute.validation.RenderPolicy;
import io.mailroute.validation.ResolutionReasons;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Kubernetes Events for state changes of a route's live validation: MX changes and new resolution
 * reasons.
 */
final class RouteEvents {
    private static final Logger LOG = Logger.getLogger(RouteEvents.class);

    private RouteEvents() {}

    /** One Kubernetes Event to record: Normal or Warning, a CamelCase reason, a message. */
    record Announcement(String type, String reason, String message) {}

    static void announce(
            KubernetesClient client, MailRoute route, List<DomainResolution> resolutions) {
        for (Announcement a : announcements(route, resolutions)) {
            emit(client, route, a.type(), a.reason(), a.message());
        }
    }

    /**
     * What changed between the resolutions in the route's status and the new ones: a first check
     * that is not fine (Warning), changed pinned MX hosts ({@code MxChanged}), a changed reason
     * (Normal when fine again, else Warning). An unchanged resolution object announces nothing.
     */
    static List<Announcement> announcements(MailRoute route, List<DomainResolution> resolutions) {
        List<Announcement> announcements = new ArrayList<>();
        for (DomainResolution now : resolutions) {
            DomainResolution before = RenderPolicy.resolution(route, now.domain);
            if (before == now) {
                continue;
            }
            if (before == null) {
                if (!"True".equals(ResolutionReasons.conditionStatus(now.reason))
                        && !Reason.VALIDATION_OFF.equals(now.reason)) {
                    announcements.add(
                            new Announcement(
                                    "Warning", now.reason, now.domain + ": " + now.message));
                }
                continue;
            }
            if (before.pinned != null
                    && !before.pinned.isEmpty()
                    && now.pinned != null
                    && !before.pinned.equals(now.pinned)) {
                announcements.add(
                        new Announcement(
                                "Normal",
                                Reason.MX_CHANGED,
                                now.domain
                                        + ": MX hosts changed from "
                                        + before.pinned
                                        + " to "
                                        + now.pinned
                                        + "; the relay configuration follows"));
            }
            if (!Objects.equals(before.reason, now.reason)) {
                boolean good = "True".equals(ResolutionReasons.conditionStatus(now.reason));
                announcements.add(
                        new Announcement(
                                good ? "Normal" : "Warning",
                                now.reason,
                                now.domain + ": " + now.message));
            }
        }
        return announcements;
    }

    private static void emit(
            KubernetesClient client, MailRoute route, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1()
                    .events()
                    .inNamespace(route.getMetadata().getNamespace())
                    .resource(
                            new EventBuilder()
                                    .withNewMetadata()
                                    .withGenerateName(route.getMetadata().getName() + ".")
                                    .endMetadata()
                                    .withInvolvedObject(
                                            new ObjectReferenceBuilder()
                                                    .withApiVersion(route.getApiVersion())
                                                    .withKind(route.getKind())
                                                    .withName(route.getMetadata().getName())
                                                    .withNamespace(
                                                            route.getMetadata().getNamespace())
                                                    .withUid(route.getMetadata().getUid())
                                                    .build())
                                    .withType(type)
                                    .withReason(reason)
                                    .withMessage(SafeText.oneLine(message))
                                    .withFirstTimestamp(now)
                                    .withLastTimestamp(now)
                                    .withCount(1)
                                    .withNewSource()
                                    .withComponent("mailroute-operator")
                                    .endSource()
                                    .build())
                    .create();
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not record event %s for MailRoute %s/%s: %s",
                    reason,
                    route.getMetadata().getNamespace(),
                    route.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
