package io.mailroute.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.testing.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Render decisions from pins stored in status, including pins an older operator stored without
 * checking names.
 */
class RenderPolicyTest {
    final RenderPolicy policy = new RenderPolicy(3);

    static MailRoute mxRoute(String domain, String... pinned) {
        MailRoute route = Resources.pinnedRoute("mail", "r", "relay", "unused.example", domain);
        route.getSpec().target = new RouteTarget();
        route.getSpec().target.mx = new MxTarget();
        DomainResolution r = new DomainResolution();
        r.domain = domain;
        r.reason = "Resolved";
        r.message = "resolved";
        r.pinned = List.of(pinned);
        route.setStatus(new MailRouteStatus());
        route.getStatus().resolutions = List.of(r);
        return route;
    }

    @Test
    void storedPinsThatCannotBeANextHopAreSkipped() {
        RenderDecision d =
                policy.decide(
                        mxRoute("example.com", "mx_1.example.com", "mx2.example.com"),
                        "example.com");
        assertThat(d).isEqualTo(new RenderDecision.PinnedMx(List.of("mx2.example.com")));
    }

    @Test
    void aDomainWhosePinsAreAllUnusableIsWithheldWithTheHostNamed() {
        RenderDecision d =
                policy.decide(mxRoute("example.com", "mx\\032a.example.com"), "example.com");
        assertThat(d)
                .isInstanceOfSatisfying(
                        RenderDecision.Withheld.class,
                        w -> {
                            assertThat(w.reason()).isEqualTo("InvalidMxHostName");
                            assertThat(w.message())
                                    .contains("example.com")
                                    .contains("mx\\\\032a.example.com");
                        });
    }

    @Test
    void aReCheckThatOnlyMovesItsTimesRendersTheSame() {
        MailRoute route = mxRoute("example.com", "mx1.example.com");
        List<DomainResolution> before = route.getStatus().resolutions;
        DomainResolution again =
                mxRoute("example.com", "mx1.example.com").getStatus().resolutions.get(0);
        again.checkedAt = "2026-11-30T06:00:00Z";
        again.nextCheckAt = "2026-11-30T06:05:00Z";
        assertThat(policy.sameRendering(route, before, List.of(again))).isTrue();

        DomainResolution moved =
                mxRoute("example.com", "mx2.example.com").getStatus().resolutions.get(0);
        assertThat(policy.sameRendering(route, before, List.of(moved)))
                .as("the MX host changed: the relay pins another one")
                .isFalse();
        assertThat(policy.sameRendering(route, null, before))
                .as("the first resolution of an mx route: withheld until now")
                .isFalse();
    }

    @Test
    void hardFailuresRenderDifferentlyOnlyAtTheThreshold() {
        MailRoute route =
                Resources.pinnedRoute("mail", "r", "relay", "mx.example.net", "example.com");
        DomainResolution once = failure(1);
        assertThat(policy.sameRendering(route, null, List.of(once)))
                .as("one failure: still rendered as specified")
                .isTrue();
        assertThat(policy.sameRendering(route, List.of(once), List.of(failure(3))))
                .as("the third definite failure withholds the domain")
                .isFalse();
    }

    private static DomainResolution failure(int count) {
        DomainResolution r = new DomainResolution();
        r.domain = "example.com";
        r.reason = "NxDomain";
        r.message = "example.com does not exist";
        r.hardFailures = count;
        return r;
    }
}
