package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class AnswerCacheTest {

    private static final DomainName HOST = DnsNames.absolute("mx.example");
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    @Test
    void positiveAnswerIsServedUntilItsTtlExpires() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1));
        Message answer = reply(Rcode.NOERROR);
        answer.addRecord(
                new ARecord(dnsjava(HOST), DClass.IN, 120, InetAddress.getByName("192.0.2.1")),
                Section.ANSWER);

        assertThat(cache.put(HOST, Type.A, response(answer)).ttlSeconds()).isEqualTo(120);
        clock.advance(Duration.ofSeconds(100));
        ServerResponse hit = cache.get(HOST, Type.A);
        assertThat(hit.ttlSeconds()).isEqualTo(20);
        assertThat(hit.trace().cached()).isTrue();
        assertThat(cache.get(DnsNames.absolute("MX.EXAMPLE."), Type.A)).isNotNull();
        assertThat(cache.get(HOST, Type.AAAA)).isNull();

        clock.advance(Duration.ofSeconds(20));
        assertThat(cache.get(HOST, Type.A)).isNull();
    }

    @Test
    void negativeAnswerLivesForTheSmallerOfSoaTtlAndMinimum() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1));
        Message nxdomain = reply(Rcode.NXDOMAIN);
        nxdomain.addRecord(soa(600, 45), Section.AUTHORITY);

        assertThat(cache.put(HOST, Type.MX, response(nxdomain)).ttlSeconds()).isEqualTo(45);
        clock.advance(Duration.ofSeconds(44));
        assertThat(cache.get(HOST, Type.MX)).isNotNull();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.get(HOST, Type.MX)).isNull();
    }

    @Test
    void failuresAndNegativeAnswersWithoutSoaAreNotCached() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1));

        cache.put(HOST, Type.MX, response(reply(Rcode.SERVFAIL)));
        cache.put(HOST, Type.A, response(reply(Rcode.NXDOMAIN)));
        cache.put(HOST, Type.AAAA, new ServerResponse(null, trace(), 0));

        assertThat(cache.get(HOST, Type.MX)).isNull();
        assertThat(cache.get(HOST, Type.A)).isNull();
        assertThat(cache.get(HOST, Type.AAAA)).isNull();
    }

    @Test
    void lifetimesAreClamped() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ofSeconds(30), Duration.ofSeconds(60));
        Message zeroTtl = reply(Rcode.NOERROR);
        zeroTtl.addRecord(
                new ARecord(dnsjava(HOST), DClass.IN, 0, InetAddress.getByName("192.0.2.1")),
                Section.ANSWER);
        Message dayTtl = reply(Rcode.NXDOMAIN);
        dayTtl.addRecord(soa(86400, 86400), Section.AUTHORITY);

        assertThat(cache.put(HOST, Type.A, response(zeroTtl)).ttlSeconds()).isEqualTo(30);
        assertThat(cache.put(HOST, Type.MX, response(dayTtl)).ttlSeconds()).isEqualTo(60);
    }

    @Test
    void fullCacheDropsTheAnswersExpiringSoonestAndKeepsTakingNewOnes() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1), 16);
        for (int i = 0; i < 40; i++) {
            cache.put(host(i), Type.A, response(aRecord(host(i), 100 + i)));
            assertThat(cache.size()).isLessThanOrEqualTo(16);
        }

        assertThat(cache.get(host(39), Type.A)).as("newest answer").isNotNull();
        assertThat(cache.get(host(0), Type.A)).as("expires soonest").isNull();
        long kept =
                java.util.stream.IntStream.range(0, 40)
                        .filter(i -> cache.get(host(i), Type.A) != null)
                        .count();
        assertThat(kept).isEqualTo(cache.size()).isGreaterThanOrEqualTo(14);
    }

    @Test
    void expiredAnswersMakeRoomBeforeLiveOnes() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1), 4);
        cache.put(host(0), Type.A, response(aRecord(host(0), 3000)));
        cache.put(host(1), Type.A, response(aRecord(host(1), 10)));
        cache.put(host(2), Type.A, response(aRecord(host(2), 10)));
        cache.put(host(3), Type.A, response(aRecord(host(3), 3000)));
        clock.advance(Duration.ofSeconds(11));

        cache.put(host(4), Type.A, response(aRecord(host(4), 3000)));

        assertThat(cache.size()).isEqualTo(3);
        for (int live : new int[] {0, 3, 4}) {
            assertThat(cache.get(host(live), Type.A)).isNotNull();
        }
    }

    @Test
    void defaultCapacityHoldsTenThousandDomainsWithMxAndAddresses() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1));
        for (int i = 0; i < 30_000; i++) {
            cache.put(host(i), Type.A, response(aRecord(host(i), 3600)));
        }
        assertThat(cache.size()).isEqualTo(30_000);
        assertThat(cache.get(host(0), Type.A)).isNotNull();
    }

    @Test
    void resultKeptWithItsAnswerLivesExactlyAsLongAsTheAnswer() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1));
        ServerResponse stored = cache.put(HOST, Type.A, response(aRecord(HOST, 120)));
        QuestionKey key = new QuestionKey(HOST, Type.A);
        assertThat(cache.kept(key)).as("nothing kept yet").isNull();

        cache.keep(key, stored.answer(), resolution(stored, 120));
        clock.advance(Duration.ofSeconds(100));
        Resolution kept = cache.kept(key);
        assertThat(kept.ttlSeconds()).isEqualTo(20);
        assertThat(kept.status()).isEqualTo(LookupStatus.ANSWER);
        assertThat(kept.traces()).hasSize(1);
        assertThat(kept.traces().get(0).cached()).isTrue();
        assertThat(kept.traces().get(0)).isSameAs(cache.get(HOST, Type.A).trace());
        assertThat(cache.keptExpires(key, kept.traces()))
                .isEqualTo(Instant.parse("2030-01-01T00:02:00Z"));
        assertThat(cache.keptExpires(key, List.of(trace()))).as("not the kept result").isNull();

        clock.advance(Duration.ofSeconds(20));
        assertThat(cache.kept(key)).isNull();
        assertThat(cache.get(HOST, Type.A)).isNull();
    }

    @Test
    void resultOfAReplacedAnswerIsNotKept() throws Exception {
        AnswerCache cache = new AnswerCache(clock, Duration.ZERO, Duration.ofHours(1));
        ServerResponse old = cache.put(HOST, Type.A, response(aRecord(HOST, 120)));
        cache.put(HOST, Type.A, response(aRecord(HOST, 300)));
        QuestionKey key = new QuestionKey(HOST, Type.A);

        cache.keep(key, old.answer(), resolution(old, 120));
        assertThat(cache.kept(key)).isNull();

        ServerResponse fresh = cache.get(HOST, Type.A);
        cache.keep(key, fresh.answer(), resolution(fresh, 300));
        assertThat(cache.kept(key).ttlSeconds()).isEqualTo(300);
        cache.clear();
        assertThat(cache.kept(key)).isNull();
    }

    private static Resolution resolution(ServerResponse response, long ttl) {
        return new Resolution(
                LookupStatus.ANSWER,
                HOST,
                List.of(response.answer().records),
                List.of(),
                ttl,
                false,
                List.of(response.trace()),
                null);
    }

    private static DomainName host(int i) {
        return DnsNames.absolute("h" + i + ".example");
    }

    private static Name dnsjava(DomainName name) throws Exception {
        return new Name(name.wire());
    }

    private static Message aRecord(DomainName owner, long ttl) throws Exception {
        Message answer = reply(Rcode.NOERROR);
        answer.addRecord(
                new ARecord(dnsjava(owner), DClass.IN, ttl, InetAddress.getByName("192.0.2.1")),
                Section.ANSWER);
        return answer;
    }

    private static Message reply(int rcode) {
        Message m = new Message();
        m.getHeader().setRcode(rcode);
        return m;
    }

    private static SOARecord soa(long ttl, long minimum) {
        Name zone = Name.fromConstantString("example.");
        return new SOARecord(
                zone,
                DClass.IN,
                ttl,
                Name.fromConstantString("ns.example."),
                Name.fromConstantString("hostmaster.example."),
                1,
                3600,
                600,
                86400,
                minimum);
    }

    private static ServerResponse response(Message message) throws Exception {
        return new ServerResponse(WireAnswer.parse(message.toWire(), null), trace(), 0);
    }

    private static QueryTrace trace() {
        return new QueryTrace(
                "127.0.0.1:53",
                "mx.example",
                "A",
                "NOERROR",
                Transport.UDP,
                false,
                false,
                false,
                3,
                1,
                60,
                null,
                null);
    }
}
