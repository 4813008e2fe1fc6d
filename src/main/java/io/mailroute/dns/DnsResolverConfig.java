package io.mailroute.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.xbill.DNS.Address;

/**
 * Settings of the DNS engine: which servers to ask (each is asked on its own, never as a pool), how
 * long to wait, the EDNS payload size and how long answers may be cached.
 *
 * @param servers resolvers to ask, as IP literal socket addresses (no name lookups here)
 * @param queryTimeout time allowed for one UDP or TCP exchange
 * @param deadline time allowed for a whole check (all servers, all queries)
 * @param udpAttempts how often a UDP query is sent before it counts as timed out (at least 1)
 * @param ednsPayloadSize EDNS0 UDP payload size to advertise; 0 sends queries without EDNS
 * @param minCacheTtl lower clamp for cache lifetimes
 * @param maxCacheTtl upper clamp for cache lifetimes; zero disables the cache
 * @param maxCnameDepth how many CNAMEs are followed before giving up
 * @param threads size of the engine's own worker pool
 * @param cacheEntries most answers kept in each server's cache (at least 1)
 * @param maxConcurrentChecks most checks in progress at once; further checks wait for a free slot
 *     (backpressure) instead of being rejected, and their deadline starts when they get one
 */
public record DnsResolverConfig(
        List<InetSocketAddress> servers,
        Duration queryTimeout,
        Duration deadline,
        int udpAttempts,
        int ednsPayloadSize,
        Duration minCacheTtl,
        Duration maxCacheTtl,
        int maxCnameDepth,
        int threads,
        int cacheEntries,
        int maxConcurrentChecks) {

    /** EDNS payload size recommended by DNS Flag Day 2020: avoids IP fragmentation. */
    public static final int DEFAULT_EDNS_PAYLOAD = 1232;

    /**
     * Cached answers per server by default: 10,000 domains with an MX, A and AAAA answer each fit
     * several times over (an entry is one parsed message, about 1 KiB).
     */
    public static final int DEFAULT_CACHE_ENTRIES = 100_000;

    /**
     * Checks in progress at once by default: enough to keep a local resolver busy, few enough that
     * dnsjava's per-query bookkeeping (linear in the queries in flight) stays cheap.
     */
    public static final int DEFAULT_MAX_CONCURRENT_CHECKS = 256;

    public DnsResolverConfig {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one DNS server is required");
        }
        requirePositive(queryTimeout, "queryTimeout");
        requirePositive(deadline, "deadline");
        Objects.requireNonNull(minCacheTtl, "minCacheTtl");
        Objects.requireNonNull(maxCacheTtl, "maxCacheTtl");
        if (minCacheTtl.isNegative()
                || maxCacheTtl.isNegative()
                || minCacheTtl.compareTo(maxCacheTtl) > 0) {
            throw new IllegalArgumentException("cache TTL clamp must satisfy 0 <= min <= max");
        }
        if (udpAttempts < 1) {
            throw new IllegalArgumentException("udpAttempts must be at least 1");
        }
        if (ednsPayloadSize != 0 && (ednsPayloadSize < 512 || ednsPayloadSize > 65535)) {
            throw new IllegalArgumentException("ednsPayloadSize must be 0 (no EDNS) or 512..65535");
        }
        if (maxCnameDepth < 1 || threads < 1 || cacheEntries < 1 || maxConcurrentChecks < 1) {
            throw new IllegalArgumentException(
                    "maxCnameDepth, threads, cacheEntries and maxConcurrentChecks must be at least"
                            + " 1");
        }
    }

    /**
     * Defaults for the given servers ("host", "host:port", "[v6]:port"; IP literals only): 2 s per
     * query, 10 s per check, 2 UDP attempts, EDNS 1232, cache clamped to 0 s..1 h, 8 CNAMEs, 4
     * threads, 100,000 cached answers per server, 256 checks at once.
     */
    public static DnsResolverConfig of(List<String> servers) {
        return new DnsResolverConfig(
                servers.stream().map(DnsResolverConfig::parseServer).toList(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                2,
                DEFAULT_EDNS_PAYLOAD,
                Duration.ZERO,
                Duration.ofHours(1),
                8,
                4,
                DEFAULT_CACHE_ENTRIES,
                DEFAULT_MAX_CONCURRENT_CHECKS);
    }

    /** Defaults for the nameservers of this machine's /etc/resolv.conf. */
    public static DnsResolverConfig systemDefault() {
        return of(ResolvConf.systemNameservers());
    }

    public DnsResolverConfig withTimeouts(Duration newQueryTimeout, Duration newDeadline) {
        return new DnsResolverConfig(
                servers,
                newQueryTimeout,
                newDeadline,
                udpAttempts,
                ednsPayloadSize,
                minCacheTtl,
                maxCacheTtl,
                maxCnameDepth,
                threads,
                cacheEntries,
                maxConcurrentChecks);
    }

    public DnsResolverConfig withUdpAttempts(int attempts) {
        return new DnsResolverConfig(
                servers,
                queryTimeout,
                deadline,
                attempts,
                ednsPayloadSize,
                minCacheTtl,
                maxCacheTtl,
                maxCnameDepth,
                threads,
                cacheEntries,
                maxConcurrentChecks);
    }

    public DnsResolverConfig withEdnsPayloadSize(int size) {
        return new DnsResolverConfig(
                servers,
                queryTimeout,
                deadline,
                udpAttempts,
                size,
                minCacheTtl,
                maxCacheTtl,
                maxCnameDepth,
                threads,
                cacheEntries,
                maxConcurrentChecks);
    }

    public DnsResolverConfig withCacheTtlClamp(Duration min, Duration max) {
        return new DnsResolverConfig(
                servers,
                queryTimeout,
                deadline,
                udpAttempts,
                ednsPayloadSize,
                min,
                max,
                maxCnameDepth,
                threads,
                cacheEntries,
                maxConcurrentChecks);
    }

    public DnsResolverConfig withMaxCnameDepth(int depth) {
        return new DnsResolverConfig(
                servers,
                queryTimeout,
                deadline,
                udpAttempts,
                ednsPayloadSize,
                minCacheTtl,
                maxCacheTtl,
                depth,
                threads,
                cacheEntries,
                maxConcurrentChecks);
    }

    public DnsResolverConfig withCacheEntries(int entries) {
        return new DnsResolverConfig(
                servers,
                queryTimeout,
                deadline,
                udpAttempts,
                ednsPayloadSize,
                minCacheTtl,
                maxCacheTtl,
                maxCnameDepth,
                threads,
                entries,
                maxConcurrentChecks);
    }

    public DnsResolverConfig withMaxConcurrentChecks(int checks) {
        return new DnsResolverConfig(
                servers,
                queryTimeout,
                deadline,
                udpAttempts,
                ednsPayloadSize,
                minCacheTtl,
                maxCacheTtl,
                maxCnameDepth,
                threads,
                cacheEntries,
                checks);
    }

    /**
     * Parses "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353" (port defaults to
     * 53). Host names are rejected: resolving the resolver would need a resolver.
     */
    public static InetSocketAddress parseServer(String server) {
        String s = Objects.requireNonNull(server, "server").trim();
        String host = s;
        int port = 53;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced brackets in DNS server: " + server);
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("bad DNS server: " + server);
                }
                port = parsePort(rest.substring(1), server);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = parsePort(s.substring(s.indexOf(':') + 1), server);
        }
        return new InetSocketAddress(literal(host, server), port);
    }

    private static InetAddress literal(String host, String original) {
        byte[] bytes = Address.toByteArray(host, Address.IPv4);
        if (bytes == null) {
            bytes = Address.toByteArray(host, Address.IPv6);
        }
        if (bytes == null) {
            throw new IllegalArgumentException("DNS server must be an IP address: " + original);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad DNS server address: " + original, e);
        }
    }

    private static int parsePort(String port, String original) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in DNS server: " + original);
        }
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
