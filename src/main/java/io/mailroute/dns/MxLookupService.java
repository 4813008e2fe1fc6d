package io.mailroute.dns;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.xbill.DNS.Name;

/**
 * Checks mail routing in the DNS: {@link #check(String)} proves where mail for a domain goes,
 * {@link #checkHost(String)} whether a next-hop host resolves. Every configured resolver is asked
 * on its own and differences are reported. Answers are cached per resolver for their TTL.
 * Thread-safe; close it to stop its worker threads.
 */
public final class MxLookupService implements AutoCloseable {

    /** Time granted beyond the deadline for results that are already being assembled. */
    private static final long GRACE_MILLIS = 500;

    private final DnsResolverConfig config;
    private final Clock clock;
    private final ThreadPoolExecutor executor;
    private final List<ServerResolver> resolvers;

    public MxLookupService(DnsResolverConfig config) {
        this(config, Clock.systemUTC());
    }

    /**
     * @param clock source of time for cache expiry and {@code checkedAt} (tests move it)
     */
    public MxLookupService(DnsResolverConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.executor = DnsExecutor.create(config.threads());
        this.resolvers =
                config.servers().stream()
                        .map(
                                s ->
                                        new ServerResolver(
                                                new ServerClient(s, config, executor),
                                                clock,
                                                config,
                                                executor))
                        .toList();
    }

    /**
     * Checks a mail domain: MX classification, every exchange's addresses, resolver agreement.
     * Never throws for DNS failures (they are TEMPFAIL in the report).
     *
     * @throws IllegalArgumentException if {@code domain} is not a valid domain name
     */
    public MxReport check(String domain) {
        Name name = DnsNames.absolute(domain);
        String display = DnsNames.display(name);
        List<ResolverMxResult> results =
                runAll(
                        (r, deadline) -> MxCheck.run(r, name, deadline),
                        (server, why) ->
                                new ResolverMxResult(
                                        server,
                                        MxClassification.TEMPFAIL,
                                        MxSet.empty(),
                                        List.of(),
                                        List.of(),
                                        List.of("MX check did not complete: " + why),
                                        0,
                                        List.of()));
        return MxReport.assemble(display, results, clock.instant());
    }

    /**
     * Checks whether a host resolves to addresses (A/AAAA, following CNAMEs). Combine with {@link
     * MxReport#hasMxHost(String)} to tell whether a pinned host is a current MX.
     *
     * @throws IllegalArgumentException if {@code host} is not a valid host name or IP literal
     */
    public HostReport checkHost(String host) {
        String literal = IpLiteral.parse(host.trim()).orElse(null);
        Name name = literal != null ? null : DnsNames.absolute(host);
        String display = literal != null ? literal : DnsNames.display(name);
        List<ResolverHostResult> results =
                runAll(
                        (r, deadline) ->
                                literal != null
                                        ? CompletableFuture.completedFuture(
                                                new ResolverHostResult(
                                                        r.server(),
                                                        display,
                                                        HostStatus.IP_LITERAL,
                                                        1,
                                                        List.of(literal),
                                                        false,
                                                        List.of(),
                                                        List.of(),
                                                        List.of(),
                                                        0,
                                                        List.of()))
                                        : HostLookup.resolve(r, name, deadline),
                        (server, why) ->
                                new ResolverHostResult(
                                        server,
                                        display,
                                        HostStatus.TEMPFAIL,
                                        0,
                                        List.of(),
                                        false,
                                        List.of(),
                                        List.of(),
                                        List.of("host check did not complete: " + why),
                                        0,
                                        List.of()));
        return HostReport.assemble(display, results, clock.instant());
    }

    /** Forgets all cached answers. */
    public void clearCache() {
        resolvers.forEach(ServerResolver::clearCache);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private <T> List<T> runAll(
            BiFunction<ServerResolver, Deadline, CompletableFuture<T>> task,
            FailureResult<T> failure) {
        if (executor.isShutdown()) {
            throw new IllegalStateException("MxLookupService is closed");
        }
        Deadline deadline = Deadline.after(config.deadline());
        List<CompletableFuture<T>> futures =
                resolvers.stream().map(r -> task.apply(r, deadline)).toList();
        List<T> results = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            String server = resolvers.get(i).server();
            try {
                results.add(
                        futures.get(i)
                                .get(
                                        deadline.remainingMillis() + GRACE_MILLIS,
                                        TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                results.add(failure.of(server, "deadline of " + config.deadline() + " exceeded"));
            } catch (ExecutionException e) {
                results.add(failure.of(server, "internal error: " + e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.add(failure.of(server, "interrupted"));
            }
        }
        return results;
    }

    @FunctionalInterface
    private interface FailureResult<T> {
        T of(String server, String why);
    }
}
