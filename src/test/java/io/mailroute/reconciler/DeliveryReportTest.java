package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.api.v1alpha1.DomainDelivery;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.status.Conditions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parsing a relay pod's delivery summary (untrusted network input), summing pods, and the
 * Delivering rule.
 */
class DeliveryReportTest {
    private static final String BODY =
            """
            format=1
            window=600
            updated=2026-11-29T20:00:00Z
            domain=* sent=4 deferred=0 bounced=0 queued=1 total_sent=9 total_deferred=0 total_bounced=0
            domain=outlook.com sent=1 deferred=2 bounced=3 queued=7 total_sent=1 total_deferred=2 total_bounced=3 \
            last=bounced last_at=2026-11-29T19:59:58Z dsn=5.7.57 via=mx.example[192.0.2.1]:25 \
            reply=550 5.7.57 Client not authenticated <someone@outlook.com> (in reply to MAIL FROM command)
            domain=Bad_Domain sent=1
            domain=x.test sent=99999999999 deferred=-1 last=exploded dsn=9.9.9 reply=whatever
            """;

    @Test
    void parsesDomainsAndKeepsOnlyWhatIsValid() {
        DeliveryReport report = DeliveryReport.parse(BODY);

        assertThat(report.windowSeconds()).isEqualTo(600);
        assertThat(report.unavailable()).isNull();
        assertThat(report.domains()).containsOnlyKeys("*", "outlook.com", "x.test");
        DeliveryReport.Domain outlook = report.domains().get("outlook.com");
        assertThat(outlook.sent()).isEqualTo(1);
        assertThat(outlook.failures()).isEqualTo(5);
        assertThat(outlook.queued()).isEqualTo(7);
        assertThat(outlook.lastResult()).isEqualTo("bounced");
        assertThat(outlook.lastTime()).isEqualTo(Instant.parse("2026-11-29T19:59:58Z"));
        assertThat(outlook.lastDsn()).isEqualTo("5.7.57");
        assertThat(outlook.lastReply())
                .isEqualTo(
                        "550 5.7.57 Client not authenticated <<redacted>> (in reply to MAIL FROM command)");
        DeliveryReport.Domain odd = report.domains().get("x.test");
        assertThat(odd.sent()).as("out of range").isZero();
        assertThat(odd.deferred()).as("negative").isZero();
        assertThat(odd.lastResult()).as("unknown result").isNull();
        assertThat(odd.lastReply()).isNull();
    }

    @Test
    void anUnavailableSummarySaysWhy() {
        DeliveryReport report =
                DeliveryReport.parse("format=1\nunavailable=the Postfix log goes to /dev/stdout\n");
        assertThat(report.unavailable()).contains("/dev/stdout");
        assertThat(DeliveryReport.available(List.of(report))).isEmpty();
    }

    @Test
    void repliesAreOneBoundedLineWithoutAddresses() {
        assertThat(DeliveryReport.text("550 user bob.smith+tag@example.com unknown\u2028x"))
                .doesNotContain("bob", "@")
                .doesNotContain("\u2028");
        assertThat(DeliveryReport.text("x".repeat(1000))).hasSize(DeliveryReport.MAX_REPLY);
    }

    @Test
    void podsAddUpAndTheLaterLastAttemptWins() {
        DeliveryReport one =
                DeliveryReport.parse(
                        "window=600\ndomain=a.test sent=2 deferred=1 bounced=0 queued=1 "
                                + "last=deferred last_at=2026-11-29T20:00:00Z dsn=4.4.1 via=none reply=connect to x: refused\n");
        DeliveryReport two =
                DeliveryReport.parse(
                        "window=600\ndomain=a.test sent=3 deferred=0 bounced=0 queued=2 "
                                + "last=sent last_at=2026-11-29T20:00:05Z dsn=2.0.0 via=h[192.0.2.1]:25 reply=250 ok\n");

        DeliveryReport.Domain sum = DeliveryReport.sum(List.of(one, two)).get("a.test");

        assertThat(sum.sent()).isEqualTo(5);
        assertThat(sum.deferred()).isEqualTo(1);
        assertThat(sum.queued()).isEqualTo(3);
        assertThat(sum.pods()).isEqualTo(2);
        assertThat(sum.lastResult()).isEqualTo("sent");
        assertThat(sum.lastReply()).isEqualTo("250 ok");
    }

    @Test
    void deliveringNeverTurnsFalseOnOneDeferral() {
        assertThat(DeliveryHealth.failing(delivery(0, 1, 0))).isFalse();
        assertThat(DeliveryHealth.failing(delivery(0, 2, 0))).isFalse();
        assertThat(DeliveryHealth.failing(delivery(0, 2, 1))).isTrue();
        assertThat(DeliveryHealth.failing(delivery(3, 3, 0))).as("half failed").isTrue();
        assertThat(DeliveryHealth.failing(delivery(4, 3, 0))).as("most delivered").isFalse();
    }

    @Test
    void theConditionNamesTheFailingDomainWithItsLastReply() {
        DomainStatus bad = domain("bad.test", delivery(0, 0, 3));
        bad.delivery.lastResult = "bounced";
        bad.delivery.lastReply = "550 5.7.57 Client not authenticated";
        DomainStatus good = domain("good.test", delivery(5, 1, 0));
        Conditions conditions =
                new Conditions(List.of(), 1, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

        DeliveryHealth.set(conditions, List.of(bad, good));

        var condition = conditions.get("Delivering").orElseThrow();
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("DeliveriesBouncing");
        assertThat(condition.getMessage())
                .contains(
                        "bad.test on mail/relay: 3 of 3 attempts failed in 10m",
                        "550 5.7.57 Client not authenticated")
                .doesNotContain("good.test");
        assertThat(DeliveryHealth.summary(List.of(bad, good)))
                .isEqualTo("sent 5, deferred 1, bounced 3, queued 0 (10m)");

        Conditions healthy =
                new Conditions(List.of(), 1, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        DeliveryHealth.set(healthy, List.of(good));
        assertThat(healthy.get("Delivering").orElseThrow().getReason()).isEqualTo("Delivered");
    }

    private static DomainStatus domain(String name, DomainDelivery delivery) {
        DomainStatus status =
                new DomainStatus(name, "mail/relay", "smtp:[h]:25", "Programmed", null);
        status.delivery = delivery;
        return status;
    }

    private static DomainDelivery delivery(int sent, int deferred, int bounced) {
        DomainDelivery d = new DomainDelivery();
        d.windowSeconds = 600;
        d.sent = sent;
        d.deferred = deferred;
        d.bounced = bounced;
        d.queued = 0;
        return d;
    }
}
