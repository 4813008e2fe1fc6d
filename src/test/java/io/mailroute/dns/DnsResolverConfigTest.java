package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsResolverConfigTest {

    @Test
    void serverAddressesAcceptIpLiteralsWithOptionalPort() {
        assertThat(DnsResolverConfig.parseServer("192.0.2.1"))
                .isEqualTo(new InetSocketAddress("192.0.2.1", 53));
        assertThat(DnsResolverConfig.parseServer("127.0.0.1:5353"))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(DnsResolverConfig.parseServer("[::1]:5353"))
                .isEqualTo(new InetSocketAddress("::1", 5353));
        assertThat(DnsResolverConfig.parseServer("2001:db8::1"))
                .isEqualTo(new InetSocketAddress("2001:db8::1", 53));
    }

    @Test
    void hostNamesAndBadPortsAreRejected() {
        for (String bad :
                List.of(
                        "dns.example.com",
                        "localhost:53",
                        "127.0.0.1:0",
                        "127.0.0.1:x",
                        "[::1",
                        "[::1]x",
                        "")) {
            assertThatThrownBy(() -> DnsResolverConfig.parseServer(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void defaultsFollowTheDesign() {
        DnsResolverConfig config = DnsResolverConfig.of(List.of("127.0.0.1"));

        assertThat(config.ednsPayloadSize()).isEqualTo(1232);
        assertThat(config.queryTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.deadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.cacheEntries()).isEqualTo(100_000);
        assertThat(config.maxConcurrentChecks()).isEqualTo(256);
        assertThat(config.withCacheEntries(5).cacheEntries()).isEqualTo(5);
        assertThat(config.withMaxConcurrentChecks(7).maxConcurrentChecks()).isEqualTo(7);
    }

    @Test
    void invalidSettingsAreRejected() {
        DnsResolverConfig ok = DnsResolverConfig.of(List.of("127.0.0.1"));

        assertThatThrownBy(() -> DnsResolverConfig.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withEdnsPayloadSize(100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> ok.withCacheTtlClamp(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withCacheEntries(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withMaxConcurrentChecks(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ok.withEdnsPayloadSize(0).ednsPayloadSize()).isZero();
    }
}
