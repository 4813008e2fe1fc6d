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
}
