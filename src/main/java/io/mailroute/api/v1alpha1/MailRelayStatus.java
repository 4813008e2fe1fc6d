package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a {@link MailRelay}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailRelayStatus extends SerialisedEquality {
    @JsonPropertyDescription("Generation of the spec this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription(
            "Conditions: Programmed (the current configuration is live in every ready relay pod), "
                    + "Ready (Programmed and all replicas ready).")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription(
            "Number of MailRoutes accepted by this relay and rendered into its configuration.")
    public Integer attachedRoutes;

    @JsonPropertyDescription("SHA-256 of the rendered Postfix configuration.")
    public String configHash;

    @JsonPropertyDescription("Number of relay pods that are ready.")
    public Integer readyReplicas;

    @JsonPropertyDescription(
            "Per relay pod: the configuration it runs, as reported by the pod itself.")
    public List<RelayPodStatus> pods = new ArrayList<>();
}
