package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What one relay pod reports about its configuration (from its status endpoint, port "status"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RelayPodStatus extends SerialisedEquality {
    @JsonPropertyDescription("Pod name.")
    public String name;

    @JsonPropertyDescription("Whether the pod is Ready (its SMTP banner answers).")
    public Boolean ready;

    @JsonPropertyDescription(
            "The relay's state: starting, running, waiting, refused, failed, stopped; unreachable "
                    + "when the status endpoint did not answer.")
    public String state;

    @JsonPropertyDescription("Hash of the configuration Postfix is running with in this pod.")
    public String liveHash;

    @JsonPropertyDescription("Why a newer configuration is not live, when it is not.")
    public String message;

    public RelayPodStatus() {}

    public RelayPodStatus(
            String name, boolean ready, String state, String liveHash, String message) {
        this.name = name;
        this.ready = ready;
        this.state = state;
        this.liveHash = liveHash == null || liveHash.isEmpty() ? null : liveHash;
        this.message = message == null || message.isEmpty() ? null : message;
    }
}
