package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.relay.fixtures.TmpfsMount;
import io.mailroute.testing.RealComponents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A configuration volume without room for the new files must not install a truncated map: the relay
 * reports {@code state=failed} with the reason, the last good configuration keeps routing, and the
 * new one goes live once there is room again. The config directory is a small tmpfs the test mounts
 * (before the relay starts) and fills.
 */
@RealComponents
class RelayDiskFullTest {

    /**
     * Room for the small first configuration (maps of a few KiB each), far too little for the large
     * one.
     */
    private static final int TMPFS_KIB = 2048;

    private static final long LEFT_FREE = 48 * 1024;

    /** The large configuration's transport map: about 65 KB of source and 180 KB of LMDB. */
    private static final int EXTRA_ROUTES = 2000;

    private final SmtpSink oldTarget = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink newTarget = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private RelayInstance relay;
    private TmpfsMount tmpfs;

    @AfterEach
    void cleanUp() {
        try {
            if (relay != null) {
                relay.stop();
            }
        } finally {
            if (tmpfs != null) {
                tmpfs.close();
            }
            if (relay != null) {
                relay.close();
            }
            Stream.of(oldTarget, newTarget, smarthost).forEach(SmtpSink::close);
        }
    }

    @Test
    void fullConfigVolumeKeepsTheLastGoodConfigurationLiveAndSaysWhy() throws Exception {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "mount", "umount");
        PostfixConfig good =
                render(relayVia(smarthost.endpoint()), route("a.test", oldTarget.endpoint()));
        List<TransportRule> rules = new ArrayList<>(List.of(route("a.test", newTarget.endpoint())));
        for (int i = 0; i < EXTRA_ROUTES; i++) {
            rules.add(route("d" + i + ".test", newTarget.endpoint()));
        }
        PostfixConfig large =
                render(relayVia(smarthost.endpoint()), rules.toArray(TransportRule[]::new));
        relay = RelayInstance.create();
        tmpfs = TmpfsMount.mount(relay.configDir(), TMPFS_KIB);
        relay.start(good);
        Path liveMap = relay.configDir().resolve("transport.lmdb");
        byte[] goodMap = Files.readAllBytes(liveMap);

        tmpfs.fillLeaving("filler", LEFT_FREE);
        relay.publish(large);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(relay.status()).containsEntry("state", "failed"));
        assertThat(relay.status())
                .as(relay.diagnostics())
                .containsEntry("live", RelayInstance.hashOf(good))
                .containsEntry("mounted", RelayInstance.hashOf(large));
        assertThat(relay.status().get("message"))
                .startsWith(
                        "configuration "
                                + RelayInstance.hashOf(large)
                                + " could not be installed: cannot copy ")
                .contains("No space left on device")
                .endsWith("live configuration: " + RelayInstance.hashOf(good));
        assertThat(Files.readAllBytes(liveMap))
                .as("the live transport map is untouched")
                .isEqualTo(goodMap);
        try (Stream<Path> files = Files.list(relay.configDir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary copies left behind")
                    .noneMatch(name -> name.endsWith(".new"));
        }
        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("bob@a.test"), "while-full");
        assertThat(oldTarget.awaitSubject("while-full", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("bob@a.test");

        Files.delete(tmpfs.dir().resolve("filler"));

        relay.awaitLive(RelayInstance.hashOf(large));
        assertThat(relay.status()).containsEntry("state", "running");
        SmtpClient.send(
                relay.listen(),
                "alice@sender.test",
                List.of("bob@a.test", "carol@d1999.test"),
                "after");
        assertThat(newTarget.awaitDeliveries(1, Duration.ofSeconds(20)).get(0).rcptTo())
                .containsExactlyInAnyOrder("bob@a.test", "carol@d1999.test");
        assertThat(oldTarget.withSubject("after")).isNull();
    }
}
