package io.mailroute.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.api.v1alpha1.ValidationPolicy;
import io.mailroute.dns.HostReport;
import io.mailroute.dns.HostStatus;
import io.mailroute.dns.MxClassification;
import io.mailroute.dns.MxHostReport;
import io.mailroute.dns.MxReport;
import io.mailroute.dns.MxSet;
import io.mailroute.dns.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Validation decisions from DNS reports, without a DNS server. */
class DomainValidatorTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final ValidationSettings SETTINGS =
            new ValidationSettings(
                    Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofSeconds(30), 3);

    MxReport mx;
    HostReport host;
    final DomainValidator validator =
            new DomainValidator(
                    new DnsChecks() {
                        @Override
                        public CompletableFuture<MxReport> check(String domain) {
                            return CompletableFuture.completedFuture(mx);
                        }

                        @Override
                        public CompletableFuture<HostReport> checkHost(String name) {
                            return CompletableFuture.completedFuture(host);
                        }
                    },
                    SETTINGS,
                    () -> 0.5);

    static MxHostReport mxHost(String name, int preference, HostStatus status, boolean tcp) {
        int count = status == HostStatus.RESOLVED ? 2 : 0;
        return new MxHostReport(
                name,
                preference,
                false,
                status,
                count,
                List.of(),
                tcp,
                List.of(),
                List.of(),
                List.of());
    }

    static MxReport report(
            MxClassification classification, Verdict verdict, long ttl, MxHostReport... hosts) {
        return new MxReport(
                "example.com",
                classification,
                verdict,
                MxSet.empty(),
                List.of(hosts),
                List.of(),
                List.of(),
                false,
                List.of(),
                List.of(),
                ttl,
                NOW.toString());
    }

    static HostReport hostReport(String name, HostStatus status, boolean tcp) {
        return new HostReport(
                name,
                status,
                status == HostStatus.RESOLVED ? 56 : 0,
                List.of(),
                tcp,
                List.of(),
                List.of(),
                List.of(),
                false,
                List.of(),
                List.of(),
                300,
                NOW.toString());
    }

    static MailRouteSpec mxSpec() {
        MailRouteSpec spec = new MailRouteSpec();
        spec.domains = List.of("example.com");
        spec.target = new RouteTarget();
        spec.target.mx = new MxTarget();
        return spec;
    }

    static MailRouteSpec hostsSpec(String host) {
        MailRouteSpec spec = mxSpec();
        spec.target.mx = null;
        spec.target.hosts = List.of(new NextHopHost(host, 25, false));
        return spec;
    }

    @Test
    void resolvedMxHostsArePinnedInPreferenceOrderAndRecheckedOnTheTtl() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false),
                        mxHost("mx2.example.com", 20, HostStatus.RESOLVED, false));
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("Resolved");
        assertThat(r.pinned).containsExactly("mx1.example.com", "mx2.example.com");
        assertThat(r.nextCheckAt).isEqualTo(NOW.plusSeconds(300).toString());
        assertThat(r.hardFailures).isZero();
    }

    @Test
    void ttlIsClampedToTheConfiguredBounds() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        5,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false));
        assertThat(validator.validate(mxSpec(), 1, "example.com", null, NOW).nextCheckAt)
                .isEqualTo(NOW.plusSeconds(60).toString());
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        86400,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false));
        assertThat(validator.validate(mxSpec(), 1, "example.com", null, NOW).nextCheckAt)
                .isEqualTo(NOW.plusSeconds(3600).toString());
    }

    @Test
    void temporaryFailureKeepsTheLastKnownGoodPinsAndBacksOff() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false));
        DomainResolution good = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        mx = report(MxClassification.TEMPFAIL, Verdict.RETRY, 0);
        DomainResolution first = validator.validate(mxSpec(), 1, "example.com", good, NOW);
        DomainResolution second = validator.validate(mxSpec(), 1, "example.com", first, NOW);
        assertThat(first.reason).isEqualTo("MxLookupTempFail");
        assertThat(second.pinned).containsExactly("mx1.example.com");
        assertThat(second.mxHosts).isEqualTo(good.mxHosts);
        assertThat(first.nextCheckAt).isEqualTo(NOW.plusSeconds(30).toString());
        assertThat(second.nextCheckAt).isEqualTo(NOW.plusSeconds(60).toString());
        assertThat(second.tempFailures).isEqualTo(2);
    }

    @Test
    void temporaryFailureNeverBecomesImplicitMx() {
        mx = report(MxClassification.TEMPFAIL, Verdict.RETRY, 0);
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.pinned).isNull();
        assertThat(ResolutionReasons.conditionStatus(r.reason)).isEqualTo("Unknown");
    }

    @Test
    void onlyConsecutiveHardFailuresUpToTheThresholdDropThePins() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false));
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        mx = report(MxClassification.NXDOMAIN, Verdict.FAIL, 60);
        r = validator.validate(mxSpec(), 1, "example.com", r, NOW);
        assertThat(r.reason).isEqualTo("NxDomain");
        assertThat(r.pinned).as("after 1 hard failure").containsExactly("mx1.example.com");
        r = validator.validate(mxSpec(), 1, "example.com", r, NOW);
        assertThat(r.pinned).as("after 2 hard failures").containsExactly("mx1.example.com");
        r = validator.validate(mxSpec(), 1, "example.com", r, NOW);
        assertThat(r.hardFailures).isEqualTo(3);
        assertThat(r.pinned).as("after 3 hard failures").isEmpty();
    }

    @Test
    void nullMxIsAFailure() {
        mx = report(MxClassification.NULL_MX, Verdict.FAIL, 300);
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("NullMx");
        assertThat(ResolutionReasons.conditionStatus(r.reason)).isEqualTo("False");
    }

    @Test
    void truncationThatTcpCompletedIsReportedAsAWarningReason() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("big.example.com", 10, HostStatus.RESOLVED, true));
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("TruncatedNeededTcp");
        assertThat(ResolutionReasons.conditionStatus(r.reason)).isEqualTo("True");
    }

    @Test
    void anAnswerCutShortWithoutTcIsNamedInTheRouteStatus() {
        String warning =
                "MX host big.example.com (preference 10): A big.example.com from 127.0.0.1:53: UDP answer of "
                        + "1210 bytes without TC had 74 record(s), TCP had 100: the UDP answer was cut short, the TCP answer "
                        + "is used";
        mx =
                new MxReport(
                        "example.com",
                        MxClassification.OK,
                        Verdict.WARN,
                        MxSet.empty(),
                        List.of(mxHost("big.example.com", 10, HostStatus.RESOLVED, true)),
                        List.of(warning),
                        List.of(),
                        false,
                        List.of(),
                        List.of(),
                        300,
                        NOW.toString());
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("TruncatedNeededTcp");
        assertThat(r.message)
                .contains("127.0.0.1:53")
                .contains("cut short")
                .contains("TCP had 100");
    }

    @Test
    void pinnedHostThatIsNoLongerAnMxIsFlaggedAsDrift() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("new-mx.example.com", 10, HostStatus.RESOLVED, false));
        host = hostReport("old-mx.example.com", HostStatus.RESOLVED, false);
        DomainResolution r =
                validator.validate(hostsSpec("old-mx.example.com"), 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("TargetNotInMx");
        assertThat(r.message).contains("old-mx.example.com").contains("new-mx.example.com");
        assertThat(r.hardFailures).as("drift does not count towards withholding").isZero();
    }

    @Test
    void pinnedHostThatDoesNotExistCountsAsHardFailure() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx.example.com", 10, HostStatus.RESOLVED, false));
        host = hostReport("gone.example.com", HostStatus.NXDOMAIN, false);
        DomainResolution r =
                validator.validate(hostsSpec("gone.example.com"), 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("HostNotFound");
        assertThat(r.hardFailures).isEqualTo(1);
    }

    @Test
    void anAsyncCheckHoldsNoThreadAndAsksPinnedHostsOneAfterTheOtherUntilOneFails() {
        List<String> asked = new ArrayList<>();
        Map<String, CompletableFuture<HostReport>> answers = new HashMap<>();
        CompletableFuture<MxReport> mxAnswer = new CompletableFuture<>();
        DomainValidator async =
                new DomainValidator(
                        new DnsChecks() {
                            @Override
                            public CompletableFuture<MxReport> check(String domain) {
                                asked.add("MX " + domain);
                                return mxAnswer;
                            }

                            @Override
                            public CompletableFuture<HostReport> checkHost(String name) {
                                asked.add(name);
                                return answers.computeIfAbsent(
                                        name, n -> new CompletableFuture<>());
                            }
                        },
                        SETTINGS,
                        () -> 0.5);
        MailRouteSpec spec = hostsSpec("a.example.com");
        spec.target.hosts =
                List.of(
                        new NextHopHost("a.example.com", 25, false),
                        new NextHopHost("192.0.2.1", 25, false),
                        new NextHopHost("b.example.com", 25, false),
                        new NextHopHost("c.example.com", 25, false));

        CompletableFuture<DomainResolution> r =
                async.validateAsync(spec, 1, "example.com", null, NOW);
        assertThat(r).as("returns while the MX answer is awaited").isNotDone();
        assertThat(asked).containsExactly("MX example.com");

        mxAnswer.complete(
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("a.example.com", 10, HostStatus.RESOLVED, false)));
        assertThat(asked).as("then the first pinned host").endsWith("a.example.com");
        answers.get("a.example.com")
                .complete(hostReport("a.example.com", HostStatus.RESOLVED, false));
        assertThat(asked).as("the IP literal is not asked").endsWith("b.example.com");
        assertThat(r).isNotDone();
        answers.get("b.example.com")
                .complete(hostReport("b.example.com", HostStatus.NXDOMAIN, false));

        assertThat(r).isDone();
        assertThat(asked)
                .as("the host after the one that does not resolve is not asked")
                .containsExactly("MX example.com", "a.example.com", "b.example.com");
        assertThat(r.join().reason).isEqualTo("HostNotFound");
        assertThat(r.join().message).contains("b.example.com");
        assertThat(r.join().hardFailures).isEqualTo(1);
        assertThat(r.join().checkedAt).isEqualTo(NOW.toString());
        assertThat(r.join().nextCheckAt).isEqualTo(NOW.plusSeconds(300).toString());
    }

    @Test
    void aCheckThatCannotStartFailsTheSynchronousValidationWithItsOwnException() {
        DomainValidator failing =
                new DomainValidator(
                        new DnsChecks() {
                            @Override
                            public CompletableFuture<MxReport> check(String domain) {
                                return CompletableFuture.failedFuture(
                                        new IllegalStateException("engine closed"));
                            }

                            @Override
                            public CompletableFuture<HostReport> checkHost(String name) {
                                throw new IllegalArgumentException("bad host " + name);
                            }
                        },
                        SETTINGS,
                        () -> 0.5);
        assertThatThrownBy(() -> failing.validate(mxSpec(), 1, "example.com", null, NOW))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("engine closed");
        MailRouteSpec relay = mxSpec();
        relay.target.mx = null;
        relay.target.relay = new SmarthostTarget();
        relay.target.relay.host = "smtp.example.com";
        assertThatThrownBy(() -> failing.validate(relay, 1, "example.com", null, NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad host smtp.example.com");
    }

    @Test
    void validationOffChecksNothing() {
        MailRouteSpec spec = mxSpec();
        spec.validation = ValidationPolicy.Off;
        DomainResolution r = validator.validate(spec, 1, "example.com", null, NOW);
        assertThat(r.reason).isEqualTo("ValidationOff");
        assertThat(r.nextCheckAt).isNull();
    }

    @Test
    void aDomainIsDueWhenNeverCheckedWhenTheSpecChangedOrWhenItsTimeCame() {
        DomainResolution r = new DomainResolution();
        r.generation = 1L;
        r.nextCheckAt = NOW.plusSeconds(10).toString();
        assertThat(DomainValidator.due(null, 1, NOW)).isTrue();
        assertThat(DomainValidator.due(r, 1, NOW)).isFalse();
        assertThat(DomainValidator.due(r, 2, NOW)).isTrue();
        assertThat(DomainValidator.due(r, 1, NOW.plusSeconds(10))).isTrue();
    }

    @Test
    void anMxHostWhoseNameCannotBeANextHopIsSkippedWhenOthersAreUsable() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx_1.example.com", 10, HostStatus.RESOLVED, false),
                        mxHost("mx\\032a.example.com", 15, HostStatus.RESOLVED, false),
                        mxHost("mx2.example.com", 20, HostStatus.RESOLVED, false));
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.pinned).containsExactly("mx2.example.com");
        assertThat(r.reason).isEqualTo("InvalidMxHostSkipped");
        assertThat(r.message)
                .contains("mx_1.example.com")
                .contains("mx\\\\032a.example.com")
                .contains("pinning mx2.example.com");
        assertThat(ResolutionReasons.conditionStatus(r.reason)).isEqualTo("True");
        assertThat(r.hardFailures).isZero();
    }

    @Test
    void whenNoMxHostNameIsUsableTheDomainFailsAfterTheHardFailureThresholdOnly() {
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false));
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx_1.example.com", 10, HostStatus.RESOLVED, false));
        r = validator.validate(mxSpec(), 1, "example.com", r, NOW);
        assertThat(r.reason).isEqualTo("InvalidMxHostName");
        assertThat(r.message).contains("mx_1.example.com").contains("'_'");
        assertThat(ResolutionReasons.conditionStatus(r.reason)).isEqualTo("False");
        assertThat(r.pinned).as("after 1 hard failure").containsExactly("mx1.example.com");
        r = validator.validate(mxSpec(), 1, "example.com", r, NOW);
        r = validator.validate(mxSpec(), 1, "example.com", r, NOW);
        assertThat(r.hardFailures).isEqualTo(3);
        assertThat(r.pinned).as("after 3 hard failures").isEmpty();
    }

    @Test
    void aDnsOutageOfAnHourKeepsTheRenderedPinsAndRecoversOnTheNextCheck() {
        io.mailroute.dns.fixtures.MutableClock clock =
                new io.mailroute.dns.fixtures.MutableClock(NOW);
        RenderPolicy policy = new RenderPolicy(SETTINGS.hardFailureThreshold());
        io.mailroute.api.v1alpha1.MailRoute route = new io.mailroute.api.v1alpha1.MailRoute();
        route.setSpec(mxSpec());
        route.setStatus(new io.mailroute.api.v1alpha1.MailRouteStatus());
        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false),
                        mxHost("mx2.example.com", 20, HostStatus.RESOLVED, false));
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, clock.instant());
        route.getStatus().resolutions = List.of(r);
        RenderDecision before = policy.decide(route, "example.com");
        assertThat(before)
                .isEqualTo(
                        new RenderDecision.PinnedMx(List.of("mx1.example.com", "mx2.example.com")));

        clock.advance(Duration.ofSeconds(300));
        Instant outageEnds = clock.instant().plus(Duration.ofHours(1));
        mx = report(MxClassification.TEMPFAIL, Verdict.RETRY, 0);
        int checks = 0;
        while (clock.instant().isBefore(outageEnds)) {
            assertThat(checks).as("bounded: backoff, not a busy loop").isLessThan(20);
            r = validator.validate(mxSpec(), 1, "example.com", r, clock.instant());
            checks++;
            route.getStatus().resolutions = List.of(r);
            assertThat(r.reason).isEqualTo("MxLookupTempFail");
            assertThat(ResolutionReasons.conditionStatus(r.reason))
                    .as("Degraded, not failed")
                    .isEqualTo("Unknown");
            assertThat(r.hardFailures).isZero();
            assertThat(policy.decide(route, "example.com"))
                    .as("rendered configuration unchanged")
                    .isEqualTo(before);
            Instant next = Instant.parse(r.nextCheckAt);
            assertThat(Duration.between(clock.instant(), next))
                    .isLessThanOrEqualTo(SETTINGS.maxRecheck());
            clock.advance(Duration.between(clock.instant(), next));
        }
        assertThat(r.tempFailures).isEqualTo(checks);
        Duration recoveryLag = Duration.between(outageEnds, clock.instant());

        mx =
                report(
                        MxClassification.OK,
                        Verdict.PASS,
                        300,
                        mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false),
                        mxHost("mx2.example.com", 20, HostStatus.RESOLVED, false));
        r = validator.validate(mxSpec(), 1, "example.com", r, clock.instant());
        route.getStatus().resolutions = List.of(r);
        assertThat(r.reason).isEqualTo("Resolved");
        assertThat(r.tempFailures).isZero();
        assertThat(policy.decide(route, "example.com")).isEqualTo(before);
        // backoff 30 s doubling, capped at maxRecheck: the first check after an hour-long outage is
        // at most
        // one backoff step (here 32 min) after DNS came back
        assertThat(recoveryLag).isLessThanOrEqualTo(Duration.ofSeconds(30L << 6));
        System.out.printf(
                "one-hour DNS outage: %d checks, recovered %d s after DNS came back%n",
                checks, recoveryLag.toSeconds());
    }

    @Test
    void theResolvedMessageCountsTheMxHostsWhateverTheirNumber() {
        for (int hosts : new int[] {0, 1, 2, 16, 17, 100}) {
            assertThat(DomainValidator.resolvedMessage(hosts))
                    .isEqualTo(hosts + " MX host(s) resolved");
        }
        MxHostReport[] three = {
            mxHost("mx1.example.com", 10, HostStatus.RESOLVED, false),
            mxHost("mx2.example.com", 20, HostStatus.RESOLVED, false),
            mxHost("mx3.example.com", 30, HostStatus.RESOLVED, false)
        };
        mx = report(MxClassification.OK, Verdict.PASS, 300, three);
        DomainResolution r = validator.validate(mxSpec(), 1, "example.com", null, NOW);
        assertThat(r.message).isEqualTo("3 MX host(s) resolved");
        assertThat(r.pinned)
                .containsExactly("mx1.example.com", "mx2.example.com", "mx3.example.com");
        assertThat(r.mxHosts).extracting(h -> h.host).hasSize(3);
    }
}
