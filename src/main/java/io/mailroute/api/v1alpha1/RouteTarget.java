package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Where a route's mail goes: exactly one of {@code mx}, {@code hosts} or {@code relay}. */
@ValidationRule(
        value =
                "(has(self.mx) ? 1 : 0) + (has(self.hosts) ? 1 : 0) + (has(self.relay) ? 1 : 0) == 1",
        message = "target must set exactly one of mx, hosts, relay")
public class RouteTarget {
    @JsonPropertyDescription(
            "Follow the domain's live MX set; the operator pins the resolved MX hosts as next hops.")
    public MxTarget mx;

    @Size(min = 1, max = 16)
    @JsonPropertyDescription(
            "Fixed next hops, tried in order, e.g. the domain's MX host pinned in brackets.")
    public List<NextHopHost> hosts;

    @JsonPropertyDescription("An upstream smarthost, optionally with SASL credentials.")
    public SmarthostTarget relay;

    /** The kind of target that is set, or null when none or more than one is set. */
    @JsonIgnore
    public TargetKind kind() {
        int set = (mx != null ? 1 : 0) + (hosts != null ? 1 : 0) + (relay != null ? 1 : 0);
        if (set != 1) {
            return null;
        }
        return mx != null ? TargetKind.MX : hosts != null ? TargetKind.HOSTS : TargetKind.RELAY;
    }

    /** The kinds of route target. */
    public enum TargetKind {
        MX,
        HOSTS,
        RELAY
    }
}
