package io.mailroute.dns;

import java.time.Duration;
import java.util.List;

/** Engine settings for tests: loopback servers only, short timeouts. */
final class TestConfigs {

    static final Duration QUERY_TIMEOUT = Duration.ofMillis(300);
    static final Duration DEADLINE = Duration.ofSeconds(2);

    private TestConfigs() {}

    /** 300 ms per query, 2 s per check: for tests that wait for timeouts. */
    static DnsResolverConfig fast(String... servers) {
        return DnsResolverConfig.of(List.of(servers)).withTimeouts(QUERY_TIMEOUT, DEADLINE);
    }

    /**
     * 1 s per query, 5 s per check: for servers that always answer, so that a slow first query
     * (class loading, a busy CI machine) does not turn into a spurious timeout.
     */
    static DnsResolverConfig answering(String... servers) {
        return DnsResolverConfig.of(List.of(servers))
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5));
    }
}
