package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.dependent.RelayConfigLayout;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.RealComponents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A relay configuration too large for one ConfigMap arrives as a manifest in the main ConfigMap and
 * parts from the shard ConfigMaps, all in one directory (the pod's projected volume). The relay
 * reassembles the maps, goes live only when the whole matches config-hash, and routes domains from
 * every part.
 */
@RealComponents
class RelayShardedConfigTest {
    /** Enough one-domain routes for a transport map of several parts. */
    private static final int DOMAINS = 30_000;

    private final SmtpSink first = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink last = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private RelayInstance relay;

    @BeforeEach
    void requirements() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue");
    }

    @AfterEach
    void stopAll() {
        if (relay != null) {
            relay.close();
        }
        Stream.of(first, last, smarthost).forEach(SmtpSink::close);
    }

    @Test
    void aShardedConfigurationGoesLiveWholeAndRoutesDomainsOfEveryPart() throws Exception {
        RelayConfigLayout.Rendered rendered = RelayInstance.layOut(large(last));
        RelayConfigLayout.Layout layout = rendered.layout();
        // the operator's config-hash is what this relay computes from the files it reassembles
        String hash = RelayInstance.hashOf(rendered.arranged().config());
        assertThat(rendered.configHash()).isEqualTo(hash);
        assertThat(layout.main()).containsEntry("config-hash", hash);
        assertThat(rendered.digests()).as("spread over the shards by key").isNotNull();
        assertThat(layout.shards())
                .as("the transport map needs several parts")
                .hasSizeGreaterThan(2);
        assertThat(layout.main()).doesNotContainKey("transport").containsKey("transport.parts");

        relay = RelayInstance.create();
        relay.publish(RelayInstance.mounted(layout), null);
        relay.launch();
        relay.awaitLive(hash);

        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("bob@aaa-first.test"), "first-part");
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("bob@zzz-last.test"), "last-part");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> {
                            assertThat(first.deliveries())
                                    .anySatisfy(
                                            d ->
                                                    assertThat(d.rcptTo())
                                                            .containsExactly("bob@aaa-first.test"));
                            assertThat(last.deliveries())
                                    .anySatisfy(
                                            d ->
                                                    assertThat(d.rcptTo())
                                                            .containsExactly("bob@zzz-last.test"));
                        });
        assertThat(smarthost.deliveries())
                .as("nothing fell through to the default route")
                .isEmpty();

        // The next configuration moves the last domain. Its shards arrive first, with the part
        // that holds the domain still stale: the relay waits and the live configuration stays;
        // once every part is in step it goes live.
        RelayConfigLayout.Rendered next = RelayInstance.layOut(large(first));
        String nextHash = RelayInstance.hashOf(next.arranged().config());
        assertThat(next.configHash()).isEqualTo(nextHash).isNotEqualTo(hash);
        RelayConfigLayout.Layout nextLayout = next.layout();
        Map<String, String> mixed = RelayInstance.mounted(nextLayout);
        Map<String, String> before = RelayInstance.mounted(layout);
        String movedPart =
                mixed.keySet().stream()
                        .filter(k -> k.startsWith("transport.part-"))
                        .filter(k -> !mixed.get(k).equals(before.get(k)))
                        .findFirst()
                        .orElseThrow();
        assertThat(mixed.get(movedPart)).contains("zzz-last.test");
        mixed.put(movedPart, before.get(movedPart));
        relay.publish(mixed, null);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(relay.status())
                                        .containsEntry("state", "waiting")
                                        .containsEntry("live", hash));
        relay.publish(RelayInstance.mounted(nextLayout), null);
        relay.awaitLive(nextHash);
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("carol@zzz-last.test"), "moved");
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () ->
                                assertThat(first.deliveries())
                                        .anySatisfy(
                                                d ->
                                                        assertThat(d.rcptTo())
                                                                .containsExactly(
                                                                        "carol@zzz-last.test")));
    }

    /**
     * DOMAINS routes to an unused hop, plus aaa-first.test to {@code first} and zzz-last.test to
     * {@code lastHop}.
     */
    private PostfixConfig large(SmtpSink lastHop) {
        List<TransportRule> rules = new ArrayList<>();
        rules.add(route("aaa-first.test", first.endpoint()));
        for (int i = 0; i < DOMAINS; i++) {
            rules.add(route("bulk-%05d.test".formatted(i), smarthost.endpoint()));
        }
        rules.add(route("zzz-last.test", lastHop.endpoint()));
        return new PostfixRenderer().render(relayVia(smarthost.endpoint()), rules);
    }
}
