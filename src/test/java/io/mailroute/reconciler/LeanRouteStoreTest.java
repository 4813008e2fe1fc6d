package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.testing.Resources;
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
}
