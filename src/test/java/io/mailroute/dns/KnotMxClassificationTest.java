package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.command.CheckCommand;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.status.StatusNames.Reason;
import io.mailroute.testing.RealComponents;
import io.mailroute.validation.DnsChecks;
import io.mailroute.validation.DomainValidator;
import io.mailroute.validation.ResolutionReasons;
import io.mailroute.validation.ValidationSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MX classification and host resolution against a real authoritative server (knotd). */
@RealComponents
class KnotMxClassificationTest {

    private static KnotServer knot;
    private static MxLookupService service;

    @BeforeAll
    static void startServer() throws Exception {
        knot = KnotServer.start();
        service = new MxLookupService(TestConfigs.answering(knot.address()));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (service != null) {
            service.close();
        }
        if (knot != null) {
            knot.close();
        }
    }

    @Test
    void mxRecordsAreResolvedToEveryAddressOfTheHost() {
        MxReport report = service.check("dangling.mx.test");

        MxHostReport mail = report.hosts().get(0);
        assertThat(mail.host()).isEqualTo("mail.mx.test");
        assertThat(mail.preference()).isEqualTo(10);
        assertThat(mail.status()).isEqualTo(HostStatus.RESOLVED);
        assertThat(mail.addresses()).containsExactly("192.0.2.25", "2001:db8::25");
        assertThat(mail.addressCount()).isEqualTo(2);
    }

    @Test
    void noMxMeansImplicitMxOnTheDomainsOwnAddresses() {
        MxReport report = service.check("nodata.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.NODATA);
        assertThat(report.hosts())
                .singleElement()
                .satisfies(
                        h -> {
                            assertThat(h.implicit()).isTrue();
                            assertThat(h.host()).isEqualTo("nodata.mx.test");
                            assertThat(h.addresses()).containsExactly("192.0.2.10", "2001:db8::10");
                        });
        assertThat(report.verdict()).isEqualTo(Verdict.WARN);
        assertThat(report.hasMxHost("NODATA.mx.test.")).isTrue();
        assertThat(report.minTtlSeconds()).as("negative TTL of the MX NODATA").isEqualTo(60);
    }

    @Test
    void noMxAndNoAddressFails() {
        MxReport report = service.check("nodata-noaddr.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.NODATA);
        assertThat(report.hosts().get(0).status()).isEqualTo(HostStatus.NO_ADDRESS);
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.errors()).contains("no mail exchanger has an address");
    }

    @Test
    void nonExistentDomainIsNxdomain() {
        MxReport report = service.check("does-not-exist.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.NXDOMAIN);
        assertThat(report.hosts()).isEmpty();
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void nullMxIsNotAnImplicitMx() {
        MxReport report = service.check("nullmx.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.NULL_MX);
        assertThat(report.hosts()).as("the domain's A record must not be used").isEmpty();
        assertThat(report.mxSet()).isEqualTo(MxSet.empty().with(0, "."));
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void nullMxMixedWithRealMxIsMisconfiguration() {
        MxReport report = service.check("nullmx-mixed.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.NULL_MX_MIXED);
        assertThat(report.hosts()).extracting(MxHostReport::host).containsExactly("mail.mx.test");
        assertThat(report.errors()).anyMatch(e -> e.contains("RFC 7505"));
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void cnameMxTargetIsFollowedWithAWarning() {
        MxReport report = service.check("cname.mx.test");

        MxHostReport host = report.hosts().get(0);
        assertThat(host.host()).isEqualTo("alias.mx.test");
        assertThat(host.status()).isEqualTo(HostStatus.RESOLVED);
        assertThat(host.cnameChain()).containsExactly("alias.mx.test", "mail.mx.test");
        assertThat(host.addresses()).containsExactly("192.0.2.25", "2001:db8::25");
        assertThat(report.warnings()).anyMatch(w -> w.contains("alias") && w.contains("RFC 2181"));
        assertThat(report.verdict()).isEqualTo(Verdict.WARN);
    }

    @Test
    void cnameLoopIsAHardError() {
        MxReport report = service.check("cname-loop.mx.test");

        MxHostReport host = report.hosts().get(0);
        assertThat(host.status()).isEqualTo(HostStatus.CNAME_LOOP);
        assertThat(host.errors()).anyMatch(e -> e.contains("loop-a.mx.test -> loop-b.mx.test"));
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void cnameChainLongerThanTheLimitIsAHardError() {
        MxReport report = service.check("cname-deep.mx.test");

        assertThat(report.hosts().get(0).status()).isEqualTo(HostStatus.CNAME_TOO_LONG);
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void chainWithinTheLimitResolves() throws Exception {
        try (MxLookupService deep =
                new MxLookupService(TestConfigs.answering(knot.address()).withMaxCnameDepth(10))) {
            MxReport report = deep.check("cname-deep.mx.test");

            assertThat(report.hosts().get(0).status()).isEqualTo(HostStatus.RESOLVED);
            assertThat(report.hosts().get(0).cnameChain()).hasSize(11).endsWith("mail.mx.test");
        }
    }

    @Test
    void ipLiteralMxTargetsFailWithoutLookup() {
        for (String domain : List.of("ipliteral.mx.test", "ipliteral-bracket.mx.test")) {
            MxReport report = service.check(domain);

            MxHostReport host = report.hosts().get(0);
            assertThat(host.status()).as(domain).isEqualTo(HostStatus.IP_LITERAL);
            assertThat(host.errors()).as(domain).anyMatch(e -> e.contains("IP address"));
            assertThat(report.verdict()).as(domain).isEqualTo(Verdict.FAIL);
            assertThat(report.resolvers().get(0).queries())
                    .as(domain)
                    .extracting(QueryTrace::type)
                    .containsExactly("MX");
        }
    }

    /**
     * Mail is still deliverable through the first MX host, so the CLI (engine verdict, exit code)
     * and the operator (DomainValidator: Resolved=True, SomeMxHostsUnresolvable) both call this a
     * warning; the error is kept.
     */
    @Test
    void danglingSecondMxHostIsAWarningInTheCliAndTheOperatorWhileTheFirstStillResolves() {
        MxReport report = service.check("dangling.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.OK);
        assertThat(report.hosts())
                .extracting(MxHostReport::host, MxHostReport::status)
                .containsExactly(
                        tuple("mail.mx.test", HostStatus.RESOLVED),
                        tuple("gone.mx.test", HostStatus.NXDOMAIN));
        assertThat(report.errors())
                .anyMatch(e -> e.contains("gone.mx.test") && e.contains("NXDOMAIN"));
        assertThat(report.verdict()).isEqualTo(Verdict.WARN);
        assertThat(CheckCommand.exitCode(List.of(report))).isEqualTo(CheckCommand.WARNINGS);

        DomainValidator operator =
                new DomainValidator(
                        new DnsChecks() {
                            @Override
                            public CompletableFuture<MxReport> check(String domain) {
                                return CompletableFuture.completedFuture(report);
                            }

                            @Override
                            public CompletableFuture<HostReport> checkHost(String name) {
                                throw new AssertionError("an mx route checks no single hosts");
                            }
                        },
                        new ValidationSettings(
                                Duration.ofSeconds(60),
                                Duration.ofHours(1),
                                Duration.ofSeconds(30),
                                3),
                        () -> 0.5);
        MailRouteSpec spec = new MailRouteSpec();
        spec.domains = List.of("dangling.mx.test");
        spec.target = new RouteTarget();
        spec.target.mx = new MxTarget();
        DomainResolution resolution =
                operator.validate(spec, 1, "dangling.mx.test", null, Instant.now());
        assertThat(resolution.reason).isEqualTo(Reason.SOME_MX_HOSTS_UNRESOLVABLE);
        assertThat(ResolutionReasons.conditionStatus(resolution.reason)).isEqualTo("True");
        assertThat(resolution.pinned).containsExactly("mail.mx.test");
    }

    @Test
    void ipLiteralNextToAResolvingMxHostStaysAFailure() {
        MxReport report = service.check("dangling.mx.test");
        ResolverMxResult primary = report.resolvers().get(0);
        List<MxHostReport> hosts = new java.util.ArrayList<>(primary.hosts());
        hosts.set(
                1,
                new MxHostReport(
                        "192.0.2.9",
                        20,
                        false,
                        HostStatus.IP_LITERAL,
                        0,
                        List.of(),
                        false,
                        List.of(),
                        List.of(),
                        List.of("MX exchange is an IP address")));
        ResolverMxResult withLiteral =
                new ResolverMxResult(
                        primary.server(),
                        primary.classification(),
                        primary.mxSet(),
                        hosts,
                        primary.warnings(),
                        List.of("MX host 192.0.2.9 (preference 20): MX exchange is an IP address"),
                        primary.minTtlSeconds(),
                        primary.queries());
        assertThat(
                        MxReport.assemble("dangling.mx.test", List.of(withLiteral), Instant.now())
                                .verdict())
                .isEqualTo(Verdict.FAIL);
    }

    @Test
    void equalPreferenceHostsFormASetAndHostsAreSortedByPreferenceThenName() {
        MxReport report = service.check("equal.mx.test");

        assertThat(report.mxSet())
                .isEqualTo(
                        MxSet.empty()
                                .with(20, "mx-c.mx.test")
                                .with(10, "mx-b.mx.test")
                                .with(10, "mx-a.mx.test"));
        assertThat(report.hosts())
                .extracting(MxHostReport::host)
                .containsExactly("mx-a.mx.test", "mx-b.mx.test", "mx-c.mx.test");
        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.minTtlSeconds()).isBetween(1L, 300L);
    }

    @Test
    void domainThatIsAnAliasUsesTheMxOfItsTarget() {
        MxReport report = service.check("alias-domain.mx.test");

        assertThat(report.classification()).isEqualTo(MxClassification.OK);
        assertThat(report.mxSet().hostNames())
                .containsExactly("mx-a.mx.test", "mx-b.mx.test", "mx-c.mx.test");
        assertThat(report.warnings())
                .anyMatch(w -> w.contains("alias-domain.mx.test -> equal.mx.test"));
    }

    @Test
    void ipv6OnlyHostResolves() {
        MxReport report = service.check("v6only.mx.test");

        assertThat(report.hosts().get(0).addresses()).containsExactly("2001:db8::66");
        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void pinnedHostIsCheckedAndComparedWithTheMxHosts() {
        HostReport pinned = service.checkHost("mx-b.mx.test");
        MxReport report = service.check("equal.mx.test");

        assertThat(pinned.status()).isEqualTo(HostStatus.RESOLVED);
        assertThat(pinned.addresses()).containsExactly("192.0.2.32");
        assertThat(report.hasMxHost(pinned.host())).isTrue();
        assertThat(report.hasMxHost("mail.mx.test")).isFalse();
    }

    @Test
    void checkHostReportsCnameChainAndMissingHosts() {
        HostReport alias = service.checkHost("alias.mx.test.");
        HostReport gone = service.checkHost("gone.mx.test");

        assertThat(alias.cnameChain()).containsExactly("alias.mx.test", "mail.mx.test");
        assertThat(alias.status()).isEqualTo(HostStatus.RESOLVED);
        assertThat(gone.status()).isEqualTo(HostStatus.NXDOMAIN);
        assertThat(gone.errors()).isNotEmpty();
    }

    @Test
    void checkHostAcceptsIpLiteralsWithoutDns() {
        HostReport literal = service.checkHost("[192.0.2.7]");

        assertThat(literal.status()).isEqualTo(HostStatus.IP_LITERAL);
        assertThat(literal.addresses()).containsExactly("192.0.2.7");
        assertThat(literal.resolvers().get(0).queries()).isEmpty();
    }

    @Test
    void everyQueryIsTracedWithServerTransportAndRcode() {
        MxReport report = service.check("does-not-exist.mx.test");

        QueryTrace trace = report.resolvers().get(0).queries().get(0);
        assertThat(trace.server()).isEqualTo(knot.address());
        assertThat(trace.name()).isEqualTo("does-not-exist.mx.test");
        assertThat(trace.type()).isEqualTo("MX");
        assertThat(trace.rcode()).isEqualTo("NXDOMAIN");
        assertThat(trace.transport()).isEqualTo(Transport.UDP);
        assertThat(trace.error()).isNull();
    }
}
