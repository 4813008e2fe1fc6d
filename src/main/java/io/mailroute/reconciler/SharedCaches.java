package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The informers both controllers read, one of each kind ({@link SharedCache}): the MailRoutes
 * (owned by the MailRoute controller, its primary), the MailRelays (the MailRelay controller's
 * primary) and the relays' ConfigMaps (the MailRelay controller's, whose dependents write them).
 */
@ApplicationScoped
public class SharedCaches {
    private final SharedCache<MailRoute> routes = new SharedCache<>("MailRoute");
    private final SharedCache<MailRelay> relays = new SharedCache<>("MailRelay");
    private final SharedCache<ConfigMap> relayConfigMaps = new SharedCache<>("ConfigMap");

    SharedCache<MailRoute> routes() {
        return routes;
    }

    SharedCache<MailRelay> relays() {
        return relays;
    }

    SharedCache<ConfigMap> relayConfigMaps() {
        return relayConfigMaps;
    }
}
