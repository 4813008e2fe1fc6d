package io.mailroute.offline;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.DomainOutcome;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteAdmission;
import io.mailroute.routing.RouteInputs;
import io.mailroute.routing.RouteOutcome;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.routing.SecretInput;
import io.mailroute.validation.RenderPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders MailRelays and MailRoutes from files into the exact Postfix files the operator would
 * write, with the same planner, and lists every problem (one line each) that would keep a route out
 * of the configuration. {@code mx} routes render the MX hosts recorded in their status when the
 * files carry one; otherwise they are reported as waiting for DNS, which is not a problem.
 */
public final class OfflineRender {
    /** Rendered non-secret files per relay ("namespace/name"), problems and notes. */
    public record Result(
            Map<String, Map<String, String>> files, List<String> problems, List<String> notes) {}

    private final RelayPlanner planner;

    public OfflineRender(int hardFailureThreshold) {
        this.planner =
                new RelayPlanner(
                        new PostfixRenderer(),
                        new RouteTranslator(new RenderPolicy(hardFailureThreshold)));
    }

    public Result render(ManifestSet manifests) {
        List<String> problems = new ArrayList<>(manifests.problems());
        List<String> notes = new ArrayList<>();
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        RouteInputs inputs = inputs(manifests);
        for (MailRoute route : manifests.routes()) {
            boolean hasRelay =
                    route.getSpec() != null
                            && route.getSpec().relayRefs != null
                            && route.getSpec().relayRefs.stream()
                                    .anyMatch(
                                            ref ->
                                                    ref != null
                                                            && manifests.relays().stream()
                                                                    .anyMatch(
                                                                            relay ->
                                                                                    RouteAdmission
                                                                                            .target(
                                                                                                    ref,
                                                                                                    route.getMetadata()
                                                                                                            .getNamespace())
                                                                                            .equals(
                                                                                                    ResourceKey
                                                                                                            .of(
                                                                                                                    relay))));
            if (!hasRelay) {
                notes.add(
                        "MailRoute "
                                + ResourceKey.of(route)
                                + ": none of its relayRefs is defined in these files");
            }
        }
        for (MailRelay relay : manifests.relays()) {
            RelayPlan plan = planner.plan(relay, manifests.routes(), inputs);
            String relayKey = ResourceKey.of(relay).toString();
            if (plan.config().isEmpty()) {
                problems.add(
                        "MailRelay "
                                + relayKey
                                + ": "
                                + plan.errorReason()
                                + ": "
                                + plan.errorMessage());
                continue;
            }
            PostfixConfig config = plan.config().get();
            files.put(relayKey, config.publicFiles());
            for (RouteOutcome outcome : plan.routes().values()) {
                String route = "MailRoute " + outcome.route() + " on MailRelay " + relayKey;
                if (!outcome.accepted()) {
                    problems.add(route + ": " + outcome.reason() + ": " + outcome.message());
                    continue;
                }
                for (DomainOutcome domain : outcome.domains()) {
                    switch (domain.state()) {
                        case Conflict ->
                                problems.add(route + ": DomainConflict: " + domain.message());
                        case Withheld ->
                                notes.add(
                                        route
                                                + ": "
                                                + domain.domain()
                                                + " not rendered until DNS "
                                                + "validation: "
                                                + domain.message());
                        default -> {}
                    }
                }
            }
        }
        return new Result(files, problems, notes);
    }

    private static RouteInputs inputs(ManifestSet manifests) {
        Map<String, Map<String, String>> labels = new HashMap<>();
        for (Namespace ns : manifests.namespaces()) {
            labels.put(
                    ns.getMetadata().getName(),
                    ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
        }
        // decoded when a route asks for it: a Secret with bad data then rejects that route with a
        // message naming
        // the Secret and key (InvalidSecret), as in the operator, instead of failing the whole run
        Map<String, Secret> secrets = new HashMap<>();
        for (Secret secret : manifests.secrets()) {
            secrets.put(
                    secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName(),
                    secret);
        }
        return new RouteInputs() {
            @Override
            public Map<String, String> namespaceLabels(String namespace) {
                return labels.getOrDefault(namespace, Map.of());
            }

            @Override
            public Optional<SecretInput> secret(String namespace, String name) {
                return Optional.ofNullable(secrets.get(namespace + "/" + name))
                        .map(SecretInput::of);
            }
        };
    }
}
