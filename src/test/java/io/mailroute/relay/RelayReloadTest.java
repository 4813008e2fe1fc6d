package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.RealComponents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Route changes reach the running relay through the kubelet's {@code ..data} symlink swap and a
 * {@code postfix reload}: mail keeps flowing, nothing is lost or sent twice, and a configuration
 * Postfix would reject never replaces the live one.
 */
@RealComponents
class RelayReloadTest {

    private static final int MESSAGES = 40;

    /**
     * The sender goes on past MESSAGES until this many were accepted after the new hash went live.
     */
    private static final int AFTER_LIVE = 5;

    /**
     * Upper bound of the sender loop (a relay that never goes live must not make it send forever).
     */
    private static final int MAX_MESSAGES = 400;

    private final SmtpSink oldTarget = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink newTarget = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private RelayInstance relay;

    /** The relay's configuration: a.test to {@code target}, everything else via the smarthost. */
    private PostfixConfig routingATestTo(SmtpSink target) {
        return render(relayVia(smarthost.endpoint()), route("a.test", target.endpoint()));
    }

    @BeforeEach
    void requirements() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue");
    }

    @AfterEach
    void stopAll() {
        if (relay != null) {
            relay.close();
        }
        Stream.of(oldTarget, newTarget, smarthost).forEach(SmtpSink::close);
    }

    @Test
    void routeChangeWhileMailFlowsLosesAndDuplicatesNothing() throws Exception {
        PostfixConfig before = routingATestTo(oldTarget);
        PostfixConfig after = routingATestTo(newTarget);
        relay = RelayInstance.create().start(before);
        Map<Integer, Long> acceptedAt = new TreeMap<>();
        AtomicLong liveAtHolder = new AtomicLong();
        CompletableFuture<Void> sender =
                CompletableFuture.runAsync(() -> send(acceptedAt, liveAtHolder));

        await().atMost(Duration.ofSeconds(20)).until(() -> accepted(acceptedAt) >= MESSAGES / 4);
        long publishedAt = System.nanoTime();
        relay.publish(after);
        relay.awaitLive(RelayInstance.hashOf(after));
        long liveAt = System.nanoTime();
        liveAtHolder.set(liveAt);
        sender.get(60, TimeUnit.SECONDS);
        int sent = accepted(acceptedAt);

        await("all %d messages delivered".formatted(sent))
                .atMost(Duration.ofSeconds(30))
                .until(() -> oldTarget.deliveries().size() + newTarget.deliveries().size() >= sent);
        Thread.sleep(1000); // a duplicate would show up late
        List<Integer> atOld = sequence(oldTarget.deliveries());
        List<Integer> atNew = sequence(newTarget.deliveries());
        List<Integer> all = new ArrayList<>(atOld);
        all.addAll(atNew);
        assertThat(all)
                .as("every message exactly once")
                .hasSize(sent)
                .doesNotHaveDuplicates()
                .containsAll(acceptedAt.keySet());
        assertThat(atOld).as("mail before the change").isNotEmpty();
        List<Integer> acceptedAfterLive = acceptedAfter(acceptedAt, liveAt);
        assertThat(acceptedAfterLive)
                .as("mail accepted after the relay reported the new hash")
                .isNotEmpty();
        assertThat(atNew).as("new target").containsAll(acceptedAfterLive);
        assertThat(smarthost.deliveries()).isEmpty();
        System.out.printf(
                "reload under load: live %d ms after publish; %d messages to the old target, %d to the new%n",
                (liveAt - publishedAt) / 1_000_000, atOld.size(), atNew.size());
        assertThat(relay.maillog())
                .contains("reload -- version")
                .doesNotContain("stopping the Postfix mail system");
        assertThat(relay.maillog().split("daemon started", -1))
                .as("one master start, no restart")
                .hasSize(2);
    }

    @Test
    void aChangedConfigurationGoesLiveOnTheFileEventNotAtTheNextPoll() throws Exception {
        PostfixConfig before = routingATestTo(oldTarget);
        PostfixConfig after = routingATestTo(newTarget);
        relay = RelayInstance.create().pollEvery("120").start(before);

        long publishedAt = System.nanoTime();
        relay.publish(after);
        relay.awaitLive(RelayInstance.hashOf(after));
        Duration live = Duration.ofNanos(System.nanoTime() - publishedAt);

        System.out.printf("file event to live (poll interval 120 s): %d ms%n", live.toMillis());
        assertThat(live).as("live long before the 120 s poll").isLessThan(Duration.ofSeconds(15));
        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("bob@a.test"), "after-event");
        assertThat(newTarget.awaitSubject("after-event", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("bob@a.test");
    }

    /**
     * Outside Kubernetes the mounts can be plain directories (a bind mount) whose files a tool
     * replaces one after the other, with no {@code ..data} to tell one version from the next: the
     * relay compares them by content. Half-replaced sets hash to something the {@code config-hash}
     * file does not name and wait; the complete set goes live once, and later polls of the same
     * content install nothing again.
     */
    @Test
    void aPlainDirectoryChangedFileByFileGoesLiveOnceAndStaysLive() throws Exception {
        PostfixConfig before = routingATestTo(oldTarget);
        PostfixConfig after = routingATestTo(newTarget);
        relay = RelayInstance.create().withPlainMounts().pollEvery("0.3").start(before);
        String afterHash = RelayInstance.hashOf(after);

        relay.publish(after);
        relay.awaitLive(afterHash);
        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("bob@a.test"), "plain");
        assertThat(newTarget.awaitSubject("plain", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("bob@a.test");

        // the status is rewritten whenever the files are taken again: several polls of unchanged
        // files must not do that
        String updated = relay.status().get("updated");
        Thread.sleep(2_500);
        assertThat(relay.status())
                .containsEntry("live", afterHash)
                .containsEntry("state", "running")
                .containsEntry("updated", updated);
        String log = relay.entrypointLog();
        assertThat(log.split("configuration " + afterHash + " is live", -1))
                .as("installed once: %s", log)
                .hasSize(2);
        assertThat(log.split(" is live", -1)).as("before, then after: %s", log).hasSize(3);
        assertThat(oldTarget.withSubject("plain")).isNull();
    }

    @Test
    void mainCfChangeTakesEffectThroughReloadWithoutRestart() throws Exception {
        PostfixConfig before = routingATestTo(oldTarget);
        PostfixConfig after =
                render(relayVia(newTarget.endpoint()), route("a.test", oldTarget.endpoint()));
        relay = RelayInstance.create().start(before);
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("bob@elsewhere.test"), "before");
        smarthost.awaitSubject("before", Duration.ofSeconds(20));

        relay.publish(after);
        relay.awaitLive(RelayInstance.hashOf(after));
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("bob@elsewhere.test"), "after");

        assertThat(newTarget.awaitSubject("after", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("bob@elsewhere.test");
        assertThat(smarthost.withSubject("after")).isNull();
        assertThat(relay.maillog().split("daemon started", -1))
                .as("one master start, no restart")
                .hasSize(2);
    }

    @Test
    void configurationPostfixRejectsIsRefusedAndTheLiveOneKeepsRouting() throws Exception {
        PostfixConfig good = routingATestTo(oldTarget);
        relay = RelayInstance.create().start(good);
        Map<String, String> broken = new TreeMap<>(good.publicFiles());
        broken.put("transport", good.transport() + "a.test\n");

        relay.publish(broken, null);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> "refused".equals(relay.status().get("state")));
        assertThat(relay.status()).containsEntry("live", RelayInstance.hashOf(good));
        assertThat(relay.status().get("message"))
                .contains("transport", "expected format: key whitespace value");
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("bob@a.test"), "after-refusal");
        assertThat(oldTarget.awaitSubject("after-refusal", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("bob@a.test");

        PostfixConfig fixed = routingATestTo(newTarget);
        relay.publish(fixed);
        relay.awaitLive(RelayInstance.hashOf(fixed));
        assertThat(relay.status()).containsEntry("state", "running");
    }

    /**
     * A route change is validated without {@code postfix check} (main.cf and master.cf are those it
     * passed) and takes the live .lmdb of unchanged maps without {@code postmap}; a main.cf that
     * only {@code postfix check} rejects (both would: an unknown mail_owner) must still be refused.
     */
    @Test
    void aMainCfOnlyPostfixCheckRejectsIsRefusedAfterARouteChangeThatSkippedTheCheck() {
        PostfixConfig good = routingATestTo(oldTarget);
        PostfixConfig moved = routingATestTo(newTarget);
        relay = RelayInstance.create().start(good);
        relay.publish(moved);
        relay.awaitLive(RelayInstance.hashOf(moved));
        Map<String, String> broken = new TreeMap<>(moved.publicFiles());
        broken.put("main.cf", moved.mainCf() + "mail_owner = mailroute-no-such-user\n");

        relay.publish(broken, null);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> "refused".equals(relay.status().get("state")));
        assertThat(relay.status()).containsEntry("live", RelayInstance.hashOf(moved));
        assertThat(relay.status().get("message")).contains("postfix check failed");
    }

    @Test
    void filesOutOfStepWithTheConfigHashKeyWaitUntilTheyMatch() {
        PostfixConfig good = routingATestTo(oldTarget);
        relay = RelayInstance.create().start(good);
        PostfixConfig next = routingATestTo(newTarget);
        Map<String, String> files = new TreeMap<>(next.publicFiles());
        files.put("config-hash", "0".repeat(64));

        relay.publish(files, null);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> "waiting".equals(relay.status().get("state")));
        assertThat(relay.status())
                .containsEntry("live", RelayInstance.hashOf(good))
                .containsEntry("mounted", RelayInstance.hashOf(next));

        files.put("config-hash", RelayInstance.hashOf(next) + "\n");
        relay.publish(files, null);
        relay.awaitLive(RelayInstance.hashOf(next));
    }

    @Test
    void badInitialConfigurationKeepsPostfixDownUntilAGoodOneArrives() throws Exception {
        PostfixConfig good = routingATestTo(oldTarget);
        Map<String, String> broken = new TreeMap<>(good.publicFiles());
        broken.put("main.cf", good.mainCf() + "this line has no equals sign\n");
        relay = RelayInstance.create();
        relay.publish(broken, null);
        relay.launch();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> "refused".equals(relay.status().get("state")));
        assertThat(relay.status()).containsEntry("live", "");
        assertThat(relay.status().get("message")).contains("missing '=' after attribute name");
        assertThat(relay.runScript("ready.sh", Map.of(), Duration.ofSeconds(10)).exitCode())
                .as("not ready without a good configuration")
                .isNotZero();

        relay.publish(good);
        relay.awaitLive(RelayInstance.hashOf(good));
        assertThat(relay.runScript("ready.sh", Map.of(), Duration.ofSeconds(10)).exitCode())
                .isZero();
    }

    /**
     * Sends at least MESSAGES messages, 50 ms apart, and goes on until AFTER_LIVE of them were
     * accepted after the test set {@code liveAt} (the moment the new configuration was reported
     * live), so that mail both before and after the reload is covered however long validation takes
     * on a busy machine.
     */
    private void send(Map<Integer, Long> acceptedAt, AtomicLong liveAt) {
        for (int i = 1; i <= MAX_MESSAGES; i++) {
            if (i > MESSAGES
                    && liveAt.get() != 0
                    && acceptedAfter(acceptedAt, liveAt.get()).size() >= AFTER_LIVE) {
                return;
            }
            try {
                SmtpClient.send(
                        relay.listen(), "alice@sender.test", List.of("bob@a.test"), "seq-" + i);
                synchronized (acceptedAt) {
                    acceptedAt.put(i, System.nanoTime());
                }
                Thread.sleep(50);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "message " + i + " was not accepted" + relay.diagnostics(), e);
            }
        }
    }

    private static int accepted(Map<Integer, Long> acceptedAt) {
        synchronized (acceptedAt) {
            return acceptedAt.size();
        }
    }

    private static List<Integer> acceptedAfter(Map<Integer, Long> acceptedAt, long when) {
        synchronized (acceptedAt) {
            return acceptedAt.entrySet().stream()
                    .filter(e -> e.getValue() > when)
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toList());
        }
    }

    private static List<Integer> sequence(List<Delivery> deliveries) {
        return deliveries.stream()
                .map(d -> Integer.parseInt(d.header("Subject").substring("seq-".length())))
                .collect(Collectors.toList());
    }
}
