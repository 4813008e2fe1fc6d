package io.mailroute.validation;

import static io.mailroute.status.StatusNames.Reason.*;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.MxHostStatus;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.ValidationPolicy;
import io.mailroute.dns.HostStatus;
import io.mailroute.dns.IsoInstant;
import io.mailroute.dns.MxClassification;
import io.mailroute.dns.MxHostReport;
import io.mailroute.dns.MxReport;
import io.mailroute.dns.Verdict;
import io.mailroute.postfix.DomainNames;
import io.mailroute.postfix.PostfixInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * Checks one domain of a route against live DNS and produces its {@link DomainResolution}: the
 * reason, the MX hosts, the next hops to pin (for {@code mx} targets) and when to check again. A
 * temporary failure never changes the pinned hops; only {@code hardFailureThreshold} consecutive
 * definite failures (NXDOMAIN, null MX, a pinned host that does not exist) do.
 */
public final class DomainValidator {
    private static final Set<String> HARD =
            Set.of(
                    NX_DOMAIN,
                    NULL_MX,
                    IP_LITERAL_MX,
                    MX_HOSTS_UNRESOLVABLE,
                    HOST_NOT_FOUND,
                    INVALID_MX_HOST_NAME);

    private final DnsChecks dns;
    private final ValidationSettings settings;
    private final DoubleSupplier random;

    public DomainValidator(DnsChecks dns, ValidationSettings settings, DoubleSupplier random) {
        this.dns = dns;
        this.settings = settings;
        this.random = random;
    }

    /** True when the domain has never been checked for this generation or its next check is due. */
    public static boolean due(DomainResolution previous, long generation, Instant now) {
        return previous == null
                || previous.generation == null
                || previous.generation != generation
                || previous.nextCheckAt == null
                || !Instant.parse(previous.nextCheckAt).isAfter(now);
    }

    /**
     * {@link #validateAsync} for callers that can wait: the resolution once the checks ended.
     * Failures of the checks themselves (not DNS failures, which are results) are thrown as they
     * are.
     */
    public DomainResolution validate(
            MailRouteSpec spec,
            long generation,
            String domain,
            DomainResolution previous,
            Instant now) {
        try {
            return validateAsync(spec, generation, domain, previous, now).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Checks the domain and completes with its resolution, holding no thread while the DNS answers
     * are awaited. The rest of the work (classifying, counting, scheduling) runs on the thread that
     * completes the last DNS check, or on the caller's when the answers were cached. An {@code mx}
     * route asks one MX check; a {@code hosts} route the MX check, then its pinned hosts one after
     * the other (the first that fails decides); a {@code relay} route its smarthost.
     *
     * @throws IllegalArgumentException if the domain or a host is not a valid name (from the DNS
     *     checks, before anything is asked)
     */
    public CompletableFuture<DomainResolution> validateAsync(
            MailRouteSpec spec,
            long generation,
            String domain,
            DomainResolution previous,
            Instant now) {
        DomainResolution r = new DomainResolution();
        r.domain = domain;
        r.generation = generation;
        r.checkedAt = IsoInstant.of(now);
        r.hardFailures = 0;
        r.tempFailures = 0;
        if (spec.validation == ValidationPolicy.Off) {
            r.reason = VALIDATION_OFF;
            r.message = "live DNS validation is off for this route (spec.validation: Off)";
            r.nextCheckAt = null;
            return CompletableFuture.completedFuture(r);
        }
        RouteTarget.TargetKind kind = spec.target.kind();
        if (kind == RouteTarget.TargetKind.RELAY) {
            return checkHosts(r, List.of(spec.target.relay.host), null)
                    .thenApply(ttl -> finish(r, previous, ttl, now));
        }
        CompletableFuture<MxReport> checked = dns.check(domain);
        if (kind == RouteTarget.TargetKind.MX) {
            // the common case: one stage, no composition
            return checked.thenApply(new MxOutcome(r, previous, now));
        }
        List<String> pinnedHosts =
                spec.target.hosts.stream()
                        .filter(h -> !Boolean.TRUE.equals(h.lookupMx))
                        .map(h -> h.host)
                        .toList();
        return checked.thenCompose(
                mx -> {
                    long mxTtl = fromMx(r, mx, previous);
                    return checkHosts(r, pinnedHosts, mx)
                            .thenApply(
                                    hostTtl -> finish(r, previous, Math.min(mxTtl, hostTtl), now));
                });
    }

    /**
     * An {@code mx} route's resolution from its MX report. A class, not a lambda: the operator
     * image's C1-only JIT (-XX:TieredStopAtLevel=1) creates a capturing lambda through a
     * constructor method handle and {@code Unsafe.allocateInstance}, a native call that C2 would
     * have inlined; in a pass of 10,000 checks such allocations were 3-6% of the CPU samples.
     */
    private final class MxOutcome implements Function<MxReport, DomainResolution> {
        private final DomainResolution r;
        private final DomainResolution previous;
        private final Instant now;

        MxOutcome(DomainResolution r, DomainResolution previous, Instant now) {
            this.r = r;
            this.previous = previous;
            this.now = now;
        }

        @Override
        public DomainResolution apply(MxReport mx) {
            long ttl = fromMx(r, mx, previous);
            List<String> candidate = classifyMx(r, mx);
            count(r, previous);
            List<String> previousPinned = previous == null ? null : previous.pinned;
            r.pinned =
                    candidate != null
                            ? candidate
                            : r.hardFailures >= settings.hardFailureThreshold()
                                    ? List.of()
                                    : previousPinned;
            schedule(r, ttl, now);
            return r;
        }
    }

    /** Takes the MX report's result, disagreements and hosts into {@code r}; returns its TTL. */
    private static long fromMx(DomainResolution r, MxReport mx, DomainResolution previous) {
        r.result = mx.classification().name();
        r.disagreements = mx.disagreements().isEmpty() ? null : mx.disagreements();
        boolean definite = mx.classification() != MxClassification.TEMPFAIL;
        r.mxHosts =
                definite ? mxHosts(mx) : previous == null ? new ArrayList<>() : previous.mxHosts;
        return mx.minTtlSeconds();
    }

    /** Counts and schedules a {@code hosts} or {@code relay} route's resolution. */
    private DomainResolution finish(
            DomainResolution r, DomainResolution previous, long ttl, Instant now) {
        count(r, previous);
        schedule(r, ttl, now);
        return r;
    }

    /**
     * Consecutive failure counters: temporary failures keep the hard count, definite ones add to
     * it.
     */
    private static void count(DomainResolution r, DomainResolution previous) {
        int prevHard =
                previous == null || previous.hardFailures == null ? 0 : previous.hardFailures;
        int prevTemp =
                previous == null || previous.tempFailures == null ? 0 : previous.tempFailures;
        if (isTemporary(r.reason)) {
            r.tempFailures = prevTemp + 1;
            r.hardFailures = prevHard;
        } else if (HARD.contains(r.reason)) {
            r.hardFailures = prevHard + 1;
            r.tempFailures = 0;
        } else {
            r.hardFailures = 0;
            r.tempFailures = 0;
        }
    }

    private static boolean isTemporary(String reason) {
        return HOST_LOOKUP_TEMP_FAIL.equals(reason) || MX_LOOKUP_TEMP_FAIL.equals(reason);
    }

    /**
     * Sets the reason from an MX report; returns the hosts to pin, or null to keep the previous
     * ones.
     */
    private List<String> classifyMx(DomainResolution r, MxReport mx) {
        List<MxHostReport> hosts = mx.hosts();
        // sized to the hosts: the list may become the pinned hops, kept as long as the status
        List<String> resolved = new ArrayList<>(hosts.size());
        List<String> unusable = List.of(); // a list of its own only when a host is unusable
        for (int i = 0; i < hosts.size(); i++) { // not for-each: C1 allocates an iterator
            MxHostReport h = hosts.get(i);
            if (h.status() != HostStatus.RESOLVED) {
                continue;
            }
            String problem = hostNameProblem(h.host());
            if (problem == null) {
                resolved.add(h.host());
            } else {
                if (unusable.isEmpty()) {
                    unusable = new ArrayList<>();
                }
                unusable.add(problem);
            }
        }
        switch (mx.classification()) {
            case TEMPFAIL ->
                    set(
                            r,
                            MX_LOOKUP_TEMP_FAIL,
                            "MX lookup failed temporarily ("
                                    + String.join("; ", mx.errors())
                                    + "); keeping the last known good next hops");
            case NXDOMAIN -> set(r, NX_DOMAIN, "the domain does not exist (NXDOMAIN)");
            case NULL_MX ->
                    set(
                            r,
                            NULL_MX,
                            "the domain publishes a null MX (RFC 7505): it accepts no mail");
            case NULL_MX_MIXED -> {
                set(
                        r,
                        NULL_MX_MIXED,
                        "the domain mixes a null MX with real MX records (misconfiguration); "
                                + "pinning the real MX hosts");
                return resolved.isEmpty() ? null : resolved;
            }
            default -> {
                if (!resolved.isEmpty()) {
                    success(r, mx);
                    if (!unusable.isEmpty() && ResolutionReasons.severity(r.reason) < 2) {
                        set(
                                r,
                                INVALID_MX_HOST_SKIPPED,
                                "skipped MX host(s) that cannot be a next hop: "
                                        + String.join("; ", unusable)
                                        + "; pinning "
                                        + String.join(", ", resolved));
                    }
                    return resolved;
                }
                if (!unusable.isEmpty()) {
                    set(
                            r,
                            INVALID_MX_HOST_NAME,
                            "no usable MX host: " + String.join("; ", unusable));
                    return null;
                }
                if (mx.verdict() == Verdict.RETRY) {
                    set(
                            r,
                            MX_LOOKUP_TEMP_FAIL,
                            "no MX host resolved yet ("
                                    + String.join("; ", mx.errors())
                                    + "); keeping the last known good next hops");
                } else {
                    boolean literal = anyIpLiteral(mx);
                    set(
                            r,
                            literal ? IP_LITERAL_MX : MX_HOSTS_UNRESOLVABLE,
                            String.join("; ", mx.errors()));
                }
            }
        }
        return null;
    }

    /**
     * Why an MX host name that resolved still cannot be written as a next hop (e.g. {@code
     * mx_1.example} or a label with an escaped space, {@code mx\\032a.example}), or null when it
     * can.
     */
    static String hostNameProblem(String host) {
        try {
            DomainNames.normalizeHost("mx", host);
            return null;
        } catch (PostfixInputException e) {
            return "MX host " + e.reason();
        }
    }

    private static boolean anyIpLiteral(MxReport mx) {
        List<MxHostReport> hosts = mx.hosts();
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).status() == HostStatus.IP_LITERAL) {
                return true;
            }
        }
        return false;
    }

    private void success(DomainResolution r, MxReport mx) {
        boolean tcp = false;
        List<MxHostReport> hosts = mx.hosts();
        for (int i = 0; i < hosts.size(); i++) { // loops, not streams or iterators: per check
            tcp |= hosts.get(i).tcpNeeded();
        }
        if (anyIpLiteral(mx)) {
            set(r, IP_LITERAL_MX, String.join("; ", mx.errors()));
        } else if (mx.disagreement()) {
            set(
                    r,
                    RESOLVERS_DISAGREE,
                    "resolvers disagree: " + String.join("; ", mx.disagreements()));
        } else if (!mx.errors().isEmpty()) {
            set(r, SOME_MX_HOSTS_UNRESOLVABLE, String.join("; ", mx.errors()));
        } else if (tcp) {
            // the warnings name a resolver that cut an answer short without TC, when that is why
            // TCP was needed
            set(
                    r,
                    TRUNCATED_NEEDED_TCP,
                    "an address answer was truncated over UDP and completed over TCP"
                            + (mx.warnings().isEmpty()
                                    ? ""
                                    : "; " + String.join("; ", mx.warnings())));
        } else if (!mx.warnings().isEmpty()) {
            set(r, RESOLVED_WITH_WARNINGS, String.join("; ", mx.warnings()));
        } else if (mx.classification() == MxClassification.NODATA) {
            set(
                    r,
                    IMPLICIT_MX,
                    "no MX records: mail goes to the domain's own address (implicit MX)");
        } else {
            set(r, RESOLVED, resolvedMessage(mx.hosts().size()));
        }
    }

    /**
     * Checks fixed next hops, one after the other: the first that does not resolve decides, and the
     * hosts after it are not asked. Completes with the smallest TTL seen. With an MX report, also
     * flags hosts that are not MX.
     */
    private CompletableFuture<Long> checkHosts(
            DomainResolution r, List<String> hosts, MxReport mx) {
        return checkHosts(r, hosts, mx, 0, Long.MAX_VALUE, false);
    }

    /** The hosts from index {@code from} on, with the TTL and TCP use seen before it. */
    private CompletableFuture<Long> checkHosts(
            DomainResolution r,
            List<String> hosts,
            MxReport mx,
            int from,
            long ttlSoFar,
            boolean tcpSoFar) {
        int i = from;
        while (i < hosts.size() && DomainNames.isIpLiteral(hosts.get(i))) {
            i++;
        }
        if (i == hosts.size()) {
            return CompletableFuture.completedFuture(
                    hostsResolved(r, hosts, mx, ttlSoFar, tcpSoFar));
        }
        String host = hosts.get(i);
        int next = i + 1;
        return dns.checkHost(host)
                .thenCompose(
                        report -> {
                            long ttl = Math.min(ttlSoFar, report.minTtlSeconds());
                            boolean tcp = tcpSoFar | report.tcpNeeded();
                            if (report.status() == HostStatus.TEMPFAIL) {
                                r.reason = HOST_LOOKUP_TEMP_FAIL;
                                r.message =
                                        "next hop "
                                                + host
                                                + " could not be resolved right now: "
                                                + String.join("; ", report.errors());
                                return CompletableFuture.completedFuture(0L);
                            }
                            if (report.status() != HostStatus.RESOLVED) {
                                r.reason = HOST_NOT_FOUND;
                                r.message =
                                        "next hop "
                                                + host
                                                + " does not resolve ("
                                                + report.status()
                                                + ")";
                                return CompletableFuture.completedFuture(ttl);
                            }
                            return checkHosts(r, hosts, mx, next, ttl, tcp);
                        });
    }

    /** Every next hop resolved: drift from the MX hosts, or success. Returns the TTL. */
    private static long hostsResolved(
            DomainResolution r, List<String> hosts, MxReport mx, long ttl, boolean tcp) {
        if (mx != null && mx.classification() == MxClassification.OK) {
            List<String> drifted =
                    hosts.stream()
                            .filter(h -> !DomainNames.isIpLiteral(h) && !mx.hasMxHost(h))
                            .toList();
            if (!drifted.isEmpty()) {
                set(
                        r,
                        TARGET_NOT_IN_MX,
                        "pinned host(s) "
                                + String.join(", ", drifted)
                                + " are not among the "
                                + "domain's current MX hosts ("
                                + String.join(
                                        ", ", mx.hosts().stream().map(MxHostReport::host).toList())
                                + "); the route is still rendered as pinned");
                return ttl;
            }
        }
        if (mx != null && mx.classification() == MxClassification.TEMPFAIL) {
            set(
                    r,
                    MX_LOOKUP_TEMP_FAIL,
                    "the next hops resolve, but the domain's MX lookup failed temporarily, so drift "
                            + "cannot be checked");
            return 0;
        }
        set(
                r,
                tcp ? TRUNCATED_NEEDED_TCP : RESOLVED,
                tcp
                        ? "next hops resolve; an address answer was truncated over UDP and completed over TCP"
                        : "next hops resolve"
                                + (mx != null && mx.classification() == MxClassification.OK
                                        ? " and are among the domain's MX hosts"
                                        : ""));
        return ttl;
    }

    private static void set(DomainResolution r, String reason, String message) {
        r.reason = reason;
        r.message = message;
    }

    private void schedule(DomainResolution r, long ttlSeconds, Instant now) {
        if (isTemporary(r.reason)) {
            Duration backoff =
                    settings.tempFailBackoff().multipliedBy(1L << Math.min(10, r.tempFailures - 1));
            r.nextCheckAt =
                    IsoInstant.of(
                            now.plus(
                                    backoff.compareTo(settings.maxRecheck()) > 0
                                            ? settings.maxRecheck()
                                            : backoff));
            return;
        }
        Duration interval =
                Duration.ofSeconds(ttlSeconds == Long.MAX_VALUE ? 0 : Math.max(0, ttlSeconds));
        if (interval.compareTo(settings.minRecheck()) < 0) {
            interval = settings.minRecheck();
        }
        if (interval.compareTo(settings.maxRecheck()) > 0) {
            interval = settings.maxRecheck();
        }
        long jittered = (long) (interval.toMillis() * (0.9 + 0.2 * random.getAsDouble()));
        r.nextCheckAt = IsoInstant.of(now.plusMillis(jittered));
    }

    /**
     * "N MX host(s) resolved", the message of most checks: one shared text for the usual counts
     * instead of a new one per check (the status keeps it until the next check).
     */
    static String resolvedMessage(int hosts) {
        return hosts >= 0 && hosts < RESOLVED_MESSAGES.length
                ? RESOLVED_MESSAGES[hosts]
                : hosts + " MX host(s) resolved";
    }

    private static final String[] RESOLVED_MESSAGES = new String[17];

    static {
        for (int i = 0; i < RESOLVED_MESSAGES.length; i++) {
            RESOLVED_MESSAGES[i] = i + " MX host(s) resolved";
        }
    }

    private static List<MxHostStatus> mxHosts(MxReport mx) {
        List<MxHostReport> reports = mx.hosts();
        List<MxHostStatus> hosts = new ArrayList<>(reports.size()); // kept with the status
        for (int i = 0; i < reports.size(); i++) {
            MxHostReport h = reports.get(i);
            hosts.add(
                    new MxHostStatus(
                            h.host(),
                            h.preference(),
                            h.addressCount(),
                            h.tcpNeeded(),
                            h.status().name()));
        }
        return hosts;
    }
}
