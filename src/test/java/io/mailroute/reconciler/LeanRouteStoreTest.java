package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.testing.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route caches hold routes without managed fields, and everything else as it came. */
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
    void thePlanningCacheKeepsResolutionsAndDropsConditionsAndDomainRows() {
        MailRoute route = Resources.pinnedRoute("mail", "a", "relay", "mx.a.example", "a.example");
        MailRouteStatus status = new MailRouteStatus();
        status.observedGeneration = 3L;
        status.conditions.add(readyWithUnsharedStatus());
        status.domains.add(
                new DomainStatus(
                        "a.example", "mail/relay", "smtp:[mx.a.example]:25", "Programmed", ""));
        DomainResolution resolution = new DomainResolution();
        resolution.domain = "a.example";
        resolution.pinned = new ArrayList<>(List.of(new String("mx.a.example")));
        status.resolutions.add(resolution);
        route.setStatus(status);

        LeanRouteStore planning = LeanRouteStore.forPlanning();
        planning.put(planning.getKey(route), route);
        MailRoute cached = planning.get(planning.getKey(route));

        assertThat(cached.getStatus().resolutions).hasSize(1);
        assertThat(cached.getStatus().resolutions.get(0).pinned)
                .singleElement()
                .as("a shared string, held once")
                .isSameAs("mx.a.example".intern());
        assertThat(cached.getStatus().observedGeneration).isEqualTo(3L);
        assertThat(cached.getStatus().conditions).isEmpty();
        assertThat(cached.getStatus().domains).isEmpty();
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
    void bothCachesHoldOneCopyOfWhatTheyShare() {
        LeanRouteStore routes = new LeanRouteStore();
        LeanRouteStore planning = LeanRouteStore.forPlanning();
        MailRoute[] cached = new MailRoute[2];
        int i = 0;
        for (LeanRouteStore store : List.of(routes, planning)) {
            // each informer deserialises its own copy of an event
            MailRoute route =
                    Resources.pinnedRoute(
                            "mail",
                            new String("a"),
                            "relay",
                            "mx.a.example",
                            new String("a.example"));
            route.getMetadata().setUid(new String("0b7e-uid"));
            route.getMetadata().setResourceVersion(new String("41"));
            route.getMetadata().setCreationTimestamp(new String("2026-11-30T10:00:00Z"));
            DomainResolution resolution = new DomainResolution();
            resolution.domain = new String("a.example");
            resolution.checkedAt = new String("2026-11-30T10:00:01Z");
            MailRouteStatus status = new MailRouteStatus();
            status.resolutions.add(resolution);
            route.setStatus(status);
            store.put(store.getKey(route), route);
            cached[i++] = store.get(store.getKey(route));
        }
        assertThat(cached[0].getMetadata().getUid()).isSameAs(cached[1].getMetadata().getUid());
        assertThat(cached[0].getMetadata().getCreationTimestamp())
                .isSameAs(cached[1].getMetadata().getCreationTimestamp());
        assertThat(cached[0].getSpec().domains.get(0)).isSameAs(cached[1].getSpec().domains.get(0));
        assertThat(cached[0].getStatus().resolutions.get(0).checkedAt)
                .isSameAs(cached[1].getStatus().resolutions.get(0).checkedAt);
        assertThat(cached[1].getSpec().domains).containsExactly("a.example");
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
