package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mail for an unreachable next hop waits in the queue, survives a relay restart and drains via
 * drain.sh.
 */
@RealComponents
class RelayQueueTest {

    private final SmtpSink target = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private RelayInstance relay;

    @BeforeEach
    void startRelayWithTheTargetDown() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue");
        target.stop();
        PostfixConfig config =
                render(relayVia(smarthost.endpoint()), route("a.test", target.endpoint()));
        relay = RelayInstance.create().start(config);
    }

    @AfterEach
    void stopAll() {
        relay.close();
        target.close();
        smarthost.close();
    }

    @Test
    void queuedMailSurvivesARelayRestartAndIsDeliveredOnceWhenTheHopReturns() throws Exception {
        sendNumbered("queued", 5);
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                relay.queued() == 5
                                        && relay.maillog().split("status=deferred", -1).length > 5);

        int deferredBefore = deferredLines();
        relay.restart();
        // The entrypoint flushes the queue when it starts (mail a previous pod left is retried at
        // once), so the restarted relay tries all five again while the hop is still down. Wait
        // until each was deferred again and none is left in the active queue: a flush sent while
        // they are still active finds nothing in the deferred queue, and they would then wait for
        // Postfix's backoff (minimal_backoff_time, 300 s). CI hit that race.
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(
                        () ->
                                deferredLines() >= deferredBefore + 5
                                        && relay.queuedIn("active") == 0
                                        && relay.queued() == 5);
        assertThat(relay.queued()).as("queue after restart").isEqualTo(5);
        target.start();
        relay.flush();

        List<Delivery> delivered = target.awaitDeliveries(5, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.queued() == 0);
        Thread.sleep(500);
        assertThat(subjects(target.deliveries()))
                .as("each message once")
                .containsExactlyInAnyOrder(
                        "queued-1", "queued-2", "queued-3", "queued-4", "queued-5");
        assertThat(delivered).allSatisfy(d -> assertThat(d.rcptTo()).hasSize(1));
        assertThat(smarthost.deliveries()).isEmpty();
    }

    @Test
    void drainGivesUpAfterItsDeadlineAndStopsAcceptingMail() throws Exception {
        sendNumbered("stuck", 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.queued() == 2);

        long start = System.nanoTime();
        Commands.Result timedOut =
                relay.runScript(
                        "drain.sh", Map.of("RELAY_DRAIN_SECONDS", "3"), Duration.ofSeconds(30));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(timedOut.exitCode()).as(timedOut.output()).isEqualTo(1);
        assertThat(timedOut.output()).contains("giving up with 2 messages queued");
        assertThat(seconds).as("bounded by RELAY_DRAIN_SECONDS").isBetween(2.5, 15.0);
        assertThatThrownBy(
                        () ->
                                SmtpClient.send(
                                        relay.listen(),
                                        "a@sender.test",
                                        List.of("b@a.test"),
                                        "late"))
                .as("smtpd is off while draining")
                .isInstanceOf(IOException.class);
        assertThat(relay.runScript("ready.sh", Map.of(), Duration.ofSeconds(10)).exitCode())
                .isNotZero();
    }

    @Test
    void drainFlushesTheQueueAndReturnsOnceItIsEmpty() throws Exception {
        sendNumbered("drained", 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.queued() == 3);
        target.start();

        long start = System.nanoTime();
        Commands.Result drained =
                relay.runScript(
                        "drain.sh", Map.of("RELAY_DRAIN_SECONDS", "60"), Duration.ofSeconds(90));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(drained.exitCode()).as(drained.output()).isZero();
        assertThat(drained.output()).contains("queue is empty");
        assertThat(seconds).as("a flush, not the retry timer").isLessThan(20);
        assertThat(subjects(target.deliveries()))
                .containsExactlyInAnyOrder("drained-1", "drained-2", "drained-3");
    }

    /**
     * The operator's drain Job after a scale-down: the image's entrypoint in drain mode on the
     * queue a stopped relay left, with the same configuration; it delivers the queue without ever
     * listening for SMTP and exits 0 once the queue is empty.
     */
    @Test
    void drainModeDeliversTheQueueAStoppedRelayLeftAndExits() throws Exception {
        sendNumbered("left", 3);
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                relay.queued() == 3
                                        && relay.maillog().split("status=deferred", -1).length > 3);
        relay.stop();
        target.start();
        int logBefore = relay.maillog().length();

        long start = System.nanoTime();
        Commands.Result drained =
                relay.runScript(
                        "entrypoint.sh",
                        Map.of("RELAY_MODE", "drain", "RELAY_DRAIN_FLUSH_SECONDS", "2"),
                        Duration.ofSeconds(120));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(drained.exitCode()).as(drained.output()).isZero();
        assertThat(drained.output()).contains("drain mode", "is empty").doesNotContain("refused");
        assertThat(seconds).as("a flush, not Postfix's retry timer (300 s)").isLessThan(60);
        assertThat(relay.queued()).isZero();
        assertThat(subjects(target.deliveries()))
                .as("each message once")
                .containsExactlyInAnyOrder("left-1", "left-2", "left-3");
        assertThat(relay.maillog().substring(logBefore))
                .as("no smtpd ran in drain mode")
                .doesNotContain("postfix/smtpd[");

        Commands.Result empty =
                relay.runScript(
                        "entrypoint.sh", Map.of("RELAY_MODE", "drain"), Duration.ofSeconds(60));
        assertThat(empty.exitCode()).as(empty.output()).isZero();
        assertThat(target.deliveries()).hasSize(3);
    }

    private void sendNumbered(String prefix, int count) throws IOException {
        for (int i = 1; i <= count; i++) {
            SmtpClient.send(
                    relay.listen(), "alice@sender.test", List.of("bob@a.test"), prefix + "-" + i);
        }
    }

    private static List<String> subjects(List<Delivery> deliveries) {
        return deliveries.stream().map(d -> d.header("Subject")).collect(Collectors.toList());
    }

    private int deferredLines() {
        return relay.maillog().split("status=deferred", -1).length - 1;
    }
}
