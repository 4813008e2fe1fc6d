package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The live DNS check of one domain of a route, and what it means for rendering. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DomainResolution extends SerialisedEquality {
    @JsonPropertyDescription("The checked domain (lower case, punycode).")
    public String domain;

    @JsonPropertyDescription(
            "MX lookup result: OK, NODATA (implicit MX), NXDOMAIN, NULL_MX, NULL_MX_MIXED or TEMPFAIL.")
    public String result;

    @JsonPropertyDescription(
            "CamelCase reason for this domain, e.g. Resolved, TruncatedNeededTcp, NullMx, NxDomain, "
                    + "MxLookupTempFail, TargetNotInMx, HostNotFound, ResolversDisagree.")
    public String reason;

    @JsonPropertyDescription("Human-readable explanation.")
    public String message;

    @JsonPropertyDescription("The domain's MX hosts by preference, from the last definite answer.")
    public List<MxHostStatus> mxHosts = new ArrayList<>();

    @JsonPropertyDescription(
            "For mx targets: the next hops pinned into the relay configuration (last known good), "
                    + "as host:port in preference order.")
    public List<String> pinned;

    @JsonPropertyDescription("Differences between the configured resolvers' answers.")
    public List<String> disagreements;

    @JsonPropertyDescription(
            "Consecutive checks that failed definitely (NXDOMAIN, null MX, unresolvable host).")
    public Integer hardFailures;

    @JsonPropertyDescription("Consecutive checks that failed temporarily (SERVFAIL, timeout, ...).")
    public Integer tempFailures;

    @JsonPropertyDescription("Generation of the route this check was made for.")
    public Long generation;

    @JsonPropertyDescription("When the domain was last checked (RFC 3339).")
    public String checkedAt;

    @JsonPropertyDescription(
            "When the domain will be checked next (RFC 3339), from the records' TTL or the backoff.")
    public String nextCheckAt;
}
