package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a {@link MailRoute}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MailRouteStatus extends SerialisedEquality {
    @JsonPropertyDescription("Generation of the spec this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription(
            "Conditions: Accepted (every referenced relay exists and allows this namespace, and the "
                    + "route is valid), Resolved (live DNS checks of the targets), Programmed (present in every relay's "
                    + "rendered configuration), Ready (all of these hold), Degraded (a temporary DNS failure: the last known "
                    + "good next hops stay rendered), Delivering (recent delivery attempts of the relays to the route's "
                    + "domains succeed; False when at least 3 attempts in the window failed and failures are at least half of "
                    + "the attempts).")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription(
            "Short summary of the target, e.g. hosts: outlook-com.olc.protection.outlook.com:25.")
    public String target;

    @JsonPropertyDescription(
            "Delivery over all domains and relays in the recent window, e.g. "
                    + "\"sent 12, deferred 0, bounced 3, queued 1 (10m)\"; absent until a relay pod reports delivery.")
    public String delivery;

    @JsonPropertyDescription("Per domain and relay: the next hop actually rendered, or why not.")
    public List<DomainStatus> domains = new ArrayList<>();

    @JsonPropertyDescription(
            "Per domain: the live DNS check behind the route (MX hosts, pinned next hops, timing).")
    public List<DomainResolution> resolutions = new ArrayList<>();
}
