package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What a relay's pods report about delivering one routed domain, summed over the pods: summaries
 * the relay pods make from their own Postfix log and queue. Never holds an address: replies have
 * them replaced by {@code <redacted>}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DomainDelivery extends SerialisedEquality {
    @JsonPropertyDescription("Length of the recent window the counts cover, in seconds.")
    public Integer windowSeconds;

    @JsonPropertyDescription(
            "Delivery attempts (one per recipient) the next hop accepted in the window.")
    public Integer sent;

    @JsonPropertyDescription(
            "Attempts that failed temporarily (the message stays queued and is retried).")
    public Integer deferred;

    @JsonPropertyDescription(
            "Attempts that failed permanently (the message went back to its sender).")
    public Integer bounced;

    @JsonPropertyDescription("Recipients of this domain waiting in the relay's queue.")
    public Integer queued;

    @JsonPropertyDescription("Result of the last attempt: sent, deferred or bounced.")
    public String lastResult;

    @JsonPropertyDescription("Enhanced status code (RFC 3463) of the last attempt, e.g. 5.7.57.")
    public String lastDsn;

    @JsonPropertyDescription(
            "What the next hop (or the connection attempt) said at the last attempt, e.g. 550 5.7.57 "
                    + "Client not authenticated to send mail; e-mail addresses are replaced by <redacted>.")
    public String lastReply;

    @JsonPropertyDescription("When the last attempt ended (RFC 3339).")
    public String lastTime;

    @JsonPropertyDescription("Relay pods whose summary is included.")
    public Integer pods;

    public DomainDelivery() {}
}
