package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.postfix.TransportRule;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Translating an mx route whose DNS-derived pins include a host name that cannot be a next hop. */
class RouteTranslatorTest {
    final RouteTranslator translator = new RouteTranslator(new RenderPolicy(3));

    static DomainResolution pinned(String domain, String... hosts) {
        DomainResolution r = new DomainResolution();
        r.domain = domain;
        r.reason = "Resolved";
        r.message = "resolved";
        r.pinned = List.of(hosts);
        return r;
    }

    @Test
    void anUnusableMxHostAffectsOnlyItsOwnDomain() throws Exception {
        MailRoute route =
                Resources.pinnedRoute(
                        "mail",
                        "r",
                        "relay",
                        "unused.example",
                        "bad.example",
                        "good.example",
                        "mixed.example");
        route.getSpec().target = new RouteTarget();
        route.getSpec().target.mx = new MxTarget();
        route.setStatus(new MailRouteStatus());
        route.getStatus().resolutions =
                List.of(
                        pinned("bad.example", "mx_1.bad.example"),
                        pinned("good.example", "mx.good.example"),
                        pinned("mixed.example", "mx\\032a.mixed.example", "mx2.mixed.example"));

        TranslatedRoute t = translator.translate(route, RelayPlannerTest.NO_INPUTS);

        assertThat(t.rules())
                .extracting(TransportRule::domain)
                .containsExactly("good.example", "mixed.example");
        assertThat(t.rules().get(1).nextHops())
                .extracting(h -> h.host())
                .containsExactly("mx2.mixed.example");
        assertThat(t.withheld()).containsOnlyKeys("bad.example");
        assertThat(t.withheld().get("bad.example").reason()).isEqualTo("InvalidMxHostName");
        assertThat(t.withheld().get("bad.example").message()).contains("mx_1.bad.example");
    }
}
