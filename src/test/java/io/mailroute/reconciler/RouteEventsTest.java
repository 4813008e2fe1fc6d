package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.reconciler.RouteEvents.Announcement;
import io.mailroute.testing.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which Kubernetes Events a route's new DNS checks announce, compared with the checks in its
 * status.
 */
class RouteEventsTest {
    private final MailRoute route =
            Resources.pinnedRoute("team", "r", "relay", "mx.example.net", "a.example");

    private static DomainResolution resolution(String reason, List<String> pinned) {
        DomainResolution r = new DomainResolution();
        r.domain = "a.example";
        r.reason = reason;
        r.message = reason + " message";
        r.pinned = pinned;
        return r;
    }

    private List<Announcement> announce(DomainResolution before, DomainResolution now) {
        if (before != null) {
            route.setStatus(new MailRouteStatus());
            route.getStatus().resolutions = new ArrayList<>(List.of(before));
        }
        return RouteEvents.announcements(route, List.of(now));
    }

    @Test
    void aFirstCheckAnnouncesOnlyWhatIsNotFine() {
        assertThat(announce(null, resolution("Resolved", null))).isEmpty();
        assertThat(announce(null, resolution("ValidationOff", null)))
                .as("off is not a problem")
                .isEmpty();
        assertThat(announce(null, resolution("NxDomain", null)))
                .extracting(Announcement::type, Announcement::reason, Announcement::message)
                .containsExactly(tuple("Warning", "NxDomain", "a.example: NxDomain message"));
        assertThat(announce(null, resolution("MxLookupTempFail", null)))
                .extracting(Announcement::type)
                .containsExactly("Warning");
    }

    @Test
    void theSameResolutionObjectAnnouncesNothing() {
        DomainResolution kept = resolution("NxDomain", null);
        assertThat(announce(kept, kept)).isEmpty();
    }

    @Test
    void aChangedReasonIsAWarningWhenWorseAndNormalWhenFineAgain() {
        assertThat(announce(resolution("Resolved", null), resolution("NullMx", null)))
                .extracting(Announcement::type, Announcement::reason)
                .containsExactly(tuple("Warning", "NullMx"));
        assertThat(announce(resolution("NullMx", null), resolution("Resolved", null)))
                .extracting(Announcement::type, Announcement::reason)
                .containsExactly(tuple("Normal", "Resolved"));
        assertThat(announce(resolution("Resolved", null), resolution("Resolved", null)))
                .as("an equal but new check with the same reason")
                .isEmpty();
    }

    @Test
    void changedPinnedMxHostsAreAnnouncedOnce() {
        List<Announcement> events =
                announce(
                        resolution("Resolved", List.of("mx1.example.net:25")),
                        resolution("Resolved", List.of("mx2.example.net:25")));
        assertThat(events)
                .extracting(Announcement::type, Announcement::reason, Announcement::message)
                .containsExactly(
                        tuple(
                                "Normal",
                                "MxChanged",
                                "a.example: MX hosts changed from [mx1.example.net:25]"
                                        + " to [mx2.example.net:25]; the relay configuration follows"));
        assertThat(
                        announce(
                                resolution("Resolved", List.of()),
                                resolution("Resolved", List.of("mx2.example.net:25"))))
                .as("nothing pinned before: no change to announce")
                .isEmpty();
        assertThat(
                        announce(
                                resolution("Resolved", List.of("mx1.example.net:25")),
                                resolution("MxLookupTempFail", List.of("mx2.example.net:25"))))
                .extracting(Announcement::reason)
                .containsExactly("MxChanged", "MxLookupTempFail");
    }
}
