package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the operator did with one domain of a route on one relay. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DomainStatus extends SerialisedEquality {
    @JsonPropertyDescription("The domain as rendered (lower case, punycode, no trailing dot).")
    public String domain;

    @JsonPropertyDescription("The relay, as namespace/name.")
    public String relay;

    @JsonPropertyDescription(
            "The Postfix transport entry actually rendered for the domain, e.g. "
                    + "smtp:[outlook-com.olc.protection.outlook.com]:25; absent when not rendered.")
    public String nextHop;

    @JsonPropertyDescription(
            "Programmed (in the relay's written configuration), Pending (planned, not written yet), "
                    + "Conflict (an older route owns the domain) or Withheld (kept out by live validation).")
    public String state;

    @JsonPropertyDescription("Why the domain is not programmed, when it is not.")
    public String message;

    @JsonPropertyDescription(
            "How mail to the domain is being delivered by this relay, from the relay pods' own "
                    + "Postfix log and queue; absent until a relay pod reports it. Refreshed at most every minute unless "
                    + "the domain's delivery health changes.")
    public DomainDelivery delivery;

    public DomainStatus() {}

    public DomainStatus(String domain, String relay, String nextHop, String state, String message) {
        this.domain = domain;
        this.relay = relay;
        this.nextHop = nextHop == null || nextHop.isEmpty() ? null : nextHop;
        this.state = state;
        this.message = message == null || message.isEmpty() ? null : message;
    }
}
