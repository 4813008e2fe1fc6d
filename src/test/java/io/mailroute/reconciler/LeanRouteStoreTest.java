package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.testing.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route cache holds routes without managed fields, and everything else as it came. */
class LeanRouteStoreTest {

    @Test
    void aCachedRouteKeepsItsSpecAndLosesOnlyItsManagedFields() {
        MailRoute route = Resources.pinnedRoute("mail", "a", "relay", "mx.a.example", "a.example");
        route.getMetadata().setResourceVersion("7");
        ManagedFieldsEntry entry = new ManagedFieldsEntry();
        entry.setManager("mailroute-operator");
        route.getMetadata().setManagedFields(List.of(entry));

        LeanRouteStore store = new LeanRouteStore();
        store.put(store.getKey(route), route);

        MailRoute cached = store.get(store.getKey(route));
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(cached.getSpec().domains).containsExactly("a.example");
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void theRouteControllersCacheKeepsTheWholeStatusWithSharedStrings() {
        MailRoute route = Resources.pinnedRoute("mail", "a", "relay", "mx.a.example", "a.example");
        MailRouteStatus status = new MailRouteStatus();
        status.conditions.add(readyWithUnsharedStatus());
        route.setStatus(status);

        LeanRouteStore store = new LeanRouteStore();
        store.put(store.getKey(route), route);

        assertThat(store.get(store.getKey(route)).getStatus().conditions)
                .singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isSameAs("True"));
    }

    @Test
    void routesHoldOneCopyOfWhatTheyShare() {
        LeanRouteStore store = new LeanRouteStore();
        MailRoute[] cached = new MailRoute[2];
        int i = 0;
        for (String name : List.of("a", "b")) {
            // each route deserialised on its own, with copies of equal strings
            MailRoute route =
                    Resources.pinnedRoute(
                            "mail",
                            name,
                            new String("relay"),
                            "mx.a.example",
                            new String(name + ".example"));
            route.getMetadata().setResourceVersion(new String("41"));
            route.getMetadata().setCreationTimestamp(new String("2026-11-30T10:00:00Z"));
            DomainResolution resolution = new DomainResolution();
            resolution.domain = new String(name + ".example");
            resolution.checkedAt = new String("2026-11-30T10:00:01Z");
            MailRouteStatus status = new MailRouteStatus();
            status.resolutions.add(resolution);
            route.setStatus(status);
            store.put(store.getKey(route), route);
            cached[i++] = store.get(store.getKey(route));
        }
        assertThat(cached[0].getMetadata().getCreationTimestamp())
                .isSameAs(cached[1].getMetadata().getCreationTimestamp());
        assertThat(cached[0].getStatus().resolutions.get(0).checkedAt)
                .isSameAs(cached[1].getStatus().resolutions.get(0).checkedAt);
        assertThat(cached[0].getSpec().relayRefs.get(0).name)
                .isSameAs(cached[1].getSpec().relayRefs.get(0).name);
        assertThat(cached[1].getSpec().domains.get(0))
                .as("a route's domain, once for its spec and its status")
                .isSameAs(cached[1].getStatus().resolutions.get(0).domain);
        assertThat(cached[1].getSpec().domains).containsExactly("b.example");
    }

    /** A Ready condition whose status string is a copy, not the interned "True". */
    private static Condition readyWithUnsharedStatus() {
        return new ConditionBuilder()
                .withType("Ready")
                .withStatus(new String("True"))
                .withReason("Ready")
                .build();
    }
}
