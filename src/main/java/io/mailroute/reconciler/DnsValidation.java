package io.mailroute.reconciler;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.ValidationPolicy;
import io.mailroute.dns.DnsResolverConfig;
import io.mailroute.dns.HostReport;
import io.mailroute.dns.MxClassification;
import io.mailroute.dns.MxLookupService;
import io.mailroute.dns.MxReport;
import io.mailroute.dns.QueryTrace;
import io.mailroute.dns.ResolvConf;
import io.mailroute.dns.ResolverHostResult;
import io.mailroute.dns.ResolverMxResult;
import io.mailroute.dns.Transport;
import io.mailroute.postfix.DomainNames;
import io.mailroute.postfix.PostfixInputException;
import io.mailroute.routing.ResourceKey;
import io.mailroute.validation.DnsChecks;
import io.mailroute.validation.DomainValidator;
import io.mailroute.validation.RenderPolicy;
import io.mailroute.validation.ValidationSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs live DNS checks for routes: re-checks the domains that are due, keeps the others' last
 * results, and records metrics (lookups by result and transport, check latency).
 */
@ApplicationScoped
public class DnsValidation {
    private final MxLookupService lookups;
    private final DomainValidator validator;
    private final MeterRegistry metrics;
    private final Timer checkTimer;
    private final BackgroundChecks background;
    private final Wakeups<MailRoute> checkEvents = new Wakeups<>("dns-checks");
    private final Clock clock = Clock.systemUTC();

    @Inject
    public DnsValidation(OperatorConfig config, MeterRegistry metrics) {
        List<String> servers =
                config.dns()
                        .servers()
                        .filter(s -> !s.isEmpty())
                        .orElseGet(ResolvConf::systemNameservers);
        int concurrentChecks = config.dns().concurrentChecks();
        DnsResolverConfig resolvers =
                DnsResolverConfig.of(servers)
                        .withTimeouts(config.dns().queryTimeout(), config.dns().deadline());
        if (resolvers.maxConcurrentChecks() < concurrentChecks) {
            // BackgroundChecks bounds the checks; the engine's own slots must not queue them again
            resolvers = resolvers.withMaxConcurrentChecks(concurrentChecks);
        }
        this.lookups = new MxLookupService(resolvers);
        this.metrics = metrics;
        // the engine's own counters: what really went on the wire, and what was shared instead
        FunctionCounter.builder("mailroute.dns.queries.sent", lookups, MxLookupService::queriesSent)
                .description("DNS messages sent on the wire (UDP and TCP, retries included)")
                .register(metrics);
        FunctionCounter.builder(
                        "mailroute.dns.questions.coalesced",
                        lookups,
                        l -> l.stats().coalescedQuestions())
                .description("Questions that shared an identical question already on the wire")
                .register(metrics);
        this.checkTimer =
                Timer.builder("mailroute.dns.check.duration")
                        .description("Duration of one domain check")
                        .publishPercentileHistogram()
                        .register(metrics);
        this.background =
                new BackgroundChecks(
                        concurrentChecks,
                        checkEvents::wake,
                        nanos -> checkTimer.record(nanos, TimeUnit.NANOSECONDS));
        OperatorConfig.Validation v = config.validation();
        this.validator =
                new DomainValidator(
                        new MeteredChecks(),
                        new ValidationSettings(
                                v.minRecheck(),
                                v.maxRecheck(),
                                v.tempFailBackoff(),
                                v.hardFailureThreshold()),
                        () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The route's resolutions after this look: the results of finished checks, the previous
     * resolution of domains whose check is not due or still running, nothing yet for a domain never
     * checked before.
     *
     * @param checking true while a check of one of the route's domains runs (its end wakes the
     *     route again)
     */
    public record Refresh(
            List<DomainResolution> resolutions, boolean checking, boolean firstCheckRunning) {}

    /**
     * Takes the finished checks of the route's domains and starts the due ones in the background
     * (validation Off needs no DNS and is decided at once, once per generation). Never waits for
     * DNS. {@code offered}: resolutions of the route's current generation that its status does not
     * carry yet ({@link Planning#offered}), or null; they count as the route's last ones.
     */
    public Refresh refresh(MailRoute route, List<DomainResolution> offered, Instant now) {
        long generation =
                route.getMetadata().getGeneration() == null
                        ? 0
                        : route.getMetadata().getGeneration();
        if (route.getSpec() == null
                || route.getSpec().target == null
                || route.getSpec().target.kind() == null) {
            return new Refresh(new ArrayList<>(), false, false);
        }
        MailRouteSpec spec = route.getSpec();
        ResourceKey key = ResourceKey.of(route);
        boolean checking = false;
        boolean firstCheckRunning = false;
        List<String> domains = domains(route);
        List<DomainResolution> result = new ArrayList<>(domains.size());
        for (int i = 0; i < domains.size(); i++) { // not for-each: C1 allocates an iterator
            String domain = domains.get(i);
            DomainResolution previous = lastResolution(route, offered, domain);
            if (!DomainValidator.due(previous, generation, now)
                    || spec.validation == ValidationPolicy.Off
                            && decidedOff(previous, generation)) {
                result.add(previous);
            } else if (spec.validation == ValidationPolicy.Off) {
                result.add(validator.validate(spec, generation, domain, previous, now));
            } else {
                Optional<DomainResolution> checked =
                        background.poll(
                                key,
                                domain,
                                generation,
                                previous == null ? null : previous.checkedAt,
                                new Check(spec, generation, domain, previous));
                if (checked.isPresent()) {
                    result.add(checked.get());
                } else {
                    checking = true;
                    if (previous != null) {
                        result.add(previous);
                    } else {
                        firstCheckRunning = true;
                    }
                }
            }
        }
        return new Refresh(result, checking, firstCheckRunning);
    }

    /**
     * One domain's check: {@link #get} starts it (it sends its first query, or finds the answers
     * cached, and returns); {@link BackgroundChecks} times it from there to its resolution for the
     * check timer. A class, not a lambda: the operator image's C1-only JIT creates capturing
     * lambdas through {@code Unsafe.allocateInstance}, a native call, and a pass over 10,000
     * domains makes one per check.
     */
    private final class Check implements Supplier<CompletableFuture<DomainResolution>> {
        private final MailRouteSpec spec;
        private final long generation;
        private final String domain;
        private final DomainResolution previous;

        Check(MailRouteSpec spec, long generation, String domain, DomainResolution previous) {
            this.spec = spec;
            this.generation = generation;
            this.domain = domain;
            this.previous = previous;
        }

        @Override
        public CompletableFuture<DomainResolution> get() {
            return validator.validateAsync(spec, generation, domain, previous, clock.instant());
        }
    }

    /** The domain's resolution in {@code offered}, else in the route's status, else null. */
    private static DomainResolution lastResolution(
            MailRoute route, List<DomainResolution> offered, String domain) {
        DomainResolution known = RenderPolicy.resolution(offered, domain);
        return known != null ? known : RenderPolicy.resolution(route, domain);
    }

    /**
     * Whether {@code previous} already says that validation is off for this generation: deciding
     * again would only change {@code checkedAt}, and so the status, at every reconcile.
     */
    private static boolean decidedOff(DomainResolution previous, long generation) {
        return previous != null
                && previous.generation != null
                && previous.generation == generation
                && io.mailroute.status.StatusNames.Reason.VALIDATION_OFF.equals(previous.reason);
    }

    /** Routes whose check finished: the MailRoute controller takes them up again. */
    Wakeups<MailRoute> events() {
        return checkEvents;
    }

    /** Time until the earliest next check, if any domain is scheduled. */
    public static Optional<Duration> untilNextCheck(
            List<DomainResolution> resolutions, Instant now) {
        return resolutions.stream()
                .filter(r -> r.nextCheckAt != null)
                .map(r -> Instant.parse(r.nextCheckAt))
                .min(Instant::compareTo)
                .map(
                        next ->
                                next.isAfter(now)
                                        ? Duration.between(now, next)
                                        : Duration.ofSeconds(1));
    }

    /**
     * The route's domains, normalized, without repeats; invalid ones are skipped (the route is
     * rejected elsewhere).
     */
    private static List<String> domains(MailRoute route) {
        List<String> listed = route.getSpec().domains;
        if (listed == null) {
            return List.of();
        }
        try {
            if (listed.size() == 1) {
                // most routes: no set to build at every look
                return List.of(DomainNames.normalize("spec.domains", listed.get(0)));
            }
            Set<String> domains = new LinkedHashSet<>();
            for (String domain : listed) {
                domains.add(DomainNames.normalize("spec.domains", domain));
            }
            return new ArrayList<>(domains);
        } catch (PostfixInputException e) {
            return List.of();
        }
    }

    @PreDestroy
    void close() {
        background.close();
        lookups.close();
    }

    /**
     * Counts every check by result and every query by type, rcode, transport and whether it was
     * cached. The counters are looked up once per tag combination, not built and found in the
     * registry per query (10,000 checks ask 30,000 questions), and found again without building a
     * key per query.
     */
    private final class MeteredChecks implements DnsChecks {
        /** By classification ordinal; an EnumMap is not thread-safe. */
        private final AtomicReferenceArray<Counter> checks =
                new AtomicReferenceArray<>(MxClassification.values().length);

        /**
         * Lookup counters by {@link #slot} (transport and cached), then type, then rcode: the tag
         * values themselves as keys, so a query finds its counter without a key object (the
         * operator image's C1-only JIT allocates every such key).
         */
        private final List<Map<String, Map<String, Counter>>> lookupCounters = new ArrayList<>();

        // one instance each, shared by every check (no capturing lambda per check)
        private final Function<MxReport, MxReport> countMx = this::countMx;
        private final Function<HostReport, HostReport> countHost = this::countHost;

        MeteredChecks() {
            for (int i = 0; i < 2 * (Transport.values().length + 1); i++) {
                lookupCounters.add(new ConcurrentHashMap<>());
            }
        }

        @Override
        public CompletableFuture<MxReport> check(String domain) {
            return lookups.checkAsync(domain).thenApply(countMx);
        }

        @Override
        public CompletableFuture<HostReport> checkHost(String host) {
            return lookups.checkHostAsync(host).thenApply(countHost);
        }

        private MxReport countMx(MxReport report) {
            MxClassification result = report.classification();
            Counter counter = checks.get(result.ordinal());
            if (counter == null) { // the registry returns the same counter to racing threads
                counter = metrics.counter("mailroute.dns.mx.checks", "result", result.name());
                checks.set(result.ordinal(), counter);
            }
            counter.increment();
            List<ResolverMxResult> resolvers = report.resolvers();
            for (int i = 0; i < resolvers.size(); i++) { // not for-each: C1 allocates iterators
                countQueries(resolvers.get(i).queries());
            }
            return report;
        }

        private HostReport countHost(HostReport report) {
            List<ResolverHostResult> resolvers = report.resolvers();
            for (int i = 0; i < resolvers.size(); i++) {
                countQueries(resolvers.get(i).queries());
            }
            return report;
        }

        private void countQueries(List<QueryTrace> queries) {
            for (int i = 0; i < queries.size(); i++) {
                count(queries.get(i));
            }
        }

        private void count(QueryTrace q) {
            String rcode = String.valueOf(q.rcode());
            Map<String, Map<String, Counter>> byType =
                    lookupCounters.get(slot(q.transport(), q.cached()));
            Map<String, Counter> byRcode = q.type() == null ? null : byType.get(q.type());
            Counter counter = byRcode == null ? null : byRcode.get(rcode);
            if (counter == null) {
                // the registry returns the same counter for the same tags, so a race only
                // registers it twice; a null type fails here, as a null tag value always did
                counter =
                        metrics.counter(
                                "mailroute.dns.lookups",
                                "type",
                                q.type(),
                                "rcode",
                                rcode,
                                "transport",
                                String.valueOf(q.transport()),
                                "cached",
                                String.valueOf(q.cached()));
                if (q.type() != null) {
                    byType.computeIfAbsent(q.type(), t -> new ConcurrentHashMap<>())
                            .putIfAbsent(rcode, counter);
                }
            }
            counter.increment();
        }

        /** Index of a (transport, cached) pair in {@link #lookupCounters}; null is a transport. */
        private static int slot(Transport transport, boolean cached) {
            return 2 * (transport == null ? 0 : transport.ordinal() + 1) + (cached ? 1 : 0);
        }
    }
}
