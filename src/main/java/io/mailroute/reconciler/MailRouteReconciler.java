package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.api.v1alpha1.RelayRef;
import io.mailroute.dependent.RelayObjects;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteAdmission;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reports, for each route, what its relays make of it: Accepted, Programmed (its lines are in the
 * relay's ConfigMap), Resolved and Ready, with the rendered next hop per domain. It never writes
 * relay configuration and never plans a relay: it reads the route's outcome from the plan the relay
 * controller published ({@link Planning}) and compares it with what the relay actually wrote.
 */
@ControllerConfiguration(
        name = "mailroute",
        informer = @Informer(itemStore = LeanRouteStore.class, informerListLimit = 500),
        maxReconciliationInterval =
                @MaxReconciliationInterval(
                        interval = 5,
                        timeUnit = java.util.concurrent.TimeUnit.MINUTES))
public class MailRouteReconciler implements Reconciler<MailRoute> {
    static final String RELAYS = "relays";
    static final String CONFIG_MAPS = "relay-configs";
    static final String ROUTE_FEED = "routes-feed";

    @Inject Planning planning;
    @Inject DnsValidation dnsValidation;
    @Inject MeterRegistry registry;
    @Inject DeliveryReports deliveryReports;
    @Inject OperatorConfig config;
    @Inject SharedCaches caches;

    Clock clock = Clock.systemUTC();

    @Override
    public List<EventSource<?, MailRoute>> prepareEventSources(
            EventSourceContext<MailRoute> context) {
        IndexerResourceCache<MailRoute> routes = context.getPrimaryCache();
        RouteMetrics.register(registry, routes);
        Duration syncTimeout =
                context.getControllerConfiguration().getConfigurationService().cacheSyncTimeout();
        // The relays and their ConfigMaps are the MailRelay controller's informers (SharedCaches):
        // this controller reads them, and maps their events to its routes, without informers of
        // its own.
        var relays =
                new CacheView<MailRelay, MailRoute>(
                        MailRelay.class,
                        RELAYS,
                        caches.relays(),
                        relay -> true,
                        relay -> routesOf(routes, ResourceKey.of(relay)),
                        // a route names its relays itself
                        MailRelayReconciler::relaysOf,
                        // A route's status reads of its relay only that it exists (and its uid);
                        // what the relay renders reaches the routes through Planning.publish. Its
                        // status patches (attachedRoutes, pods, ...) must not reconcile every
                        // route of the relay: at 10,000 routes each patch queued 10,000 reconciles
                        // ahead of the relay's own.
                        (updated, old) ->
                                !Objects.equals(
                                                updated.getMetadata().getUid(),
                                                old.getMetadata().getUid())
                                        || !Objects.equals(
                                                updated.getMetadata().getDeletionTimestamp(),
                                                old.getMetadata().getDeletionTimestamp()),
                        syncTimeout);
        // A ConfigMap event wakes only the routes whose written lines it changed
        // (Planning.routesToWake), not every route of the relay. The mapper keeps state, so it
        // runs once per event, and never to find a route's ConfigMaps (that is the other mapper).
        SharedCache<ConfigMap> written = caches.relayConfigMaps();
        var configMaps =
                new CacheView<ConfigMap, MailRoute>(
                        ConfigMap.class,
                        CONFIG_MAPS,
                        written,
                        RelayObjects::isRelayConfig,
                        cm -> {
                            String namespace = cm.getMetadata().getNamespace();
                            ResourceKey relay =
                                    new ResourceKey(
                                            namespace,
                                            cm.getMetadata()
                                                    .getLabels()
                                                    .get(RelayObjects.RELAY_LABEL));
                            Function<String, ConfigMap> cached =
                                    name ->
                                            written.get(new ResourceID(name, namespace))
                                                    .filter(RelayObjects::isRelayConfig)
                                                    .orElse(null);
                            return planning
                                    .routesToWake(
                                            relay,
                                            cached.apply(RelayObjects.configMapName(relay.name())),
                                            cached,
                                            () -> keysOf(routesOf(routes, relay)))
                                    .stream()
                                    .map(r -> new ResourceID(r.name(), r.namespace()))
                                    .collect(Collectors.toSet());
                        },
                        (MailRoute route) ->
                                MailRelayReconciler.relaysOf(route).stream()
                                        .map(
                                                relay ->
                                                        new ResourceID(
                                                                RelayObjects.configMapName(
                                                                        relay.getName()),
                                                                relay.getNamespace().orElse(null)))
                                        .collect(Collectors.toSet()),
                        (updated, old) -> true,
                        syncTimeout);
        return List.of(
                relays,
                configMaps,
                // the MailRelay controller reads this controller's informer of routes
                new PrimaryFeed<>(ROUTE_FEED, caches.routes(), routes),
                planning.events(),
                dnsValidation.events(),
                deliveryReports.events());
    }

    private static Set<ResourceID> routesOf(
            IndexerResourceCache<MailRoute> routes, ResourceKey relay) {
        return routes.list(route -> RouteAdmission.references(route, relay))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    static Set<ResourceKey> keysOf(Set<ResourceID> ids) {
        return ids.stream()
                .map(id -> new ResourceKey(id.getNamespace().orElse(null), id.getName()))
                .collect(Collectors.toSet());
    }

    @Override
    @SuppressWarnings("unchecked")
    public UpdateControl<MailRoute> reconcile(MailRoute route, Context<MailRoute> context) {
        var relays =
                (CacheView<MailRelay, MailRoute>)
                        context.eventSourceRetriever().getEventSourceFor(MailRelay.class, RELAYS);
        var configMaps =
                (CacheView<ConfigMap, MailRoute>)
                        context.eventSourceRetriever()
                                .getEventSourceFor(ConfigMap.class, CONFIG_MAPS);
        Instant now = clock.instant();
        DnsValidation.Refresh refresh = dnsValidation.refresh(route, planning.offered(route), now);
        if (refresh.firstCheckRunning() || refresh.checking() && specChangedSinceStatus(route)) {
            // a domain's first check, or the checks of a new generation, run in the background;
            // their end wakes this route (one status write, not two; until then observedGeneration
            // says the status is of the previous spec)
            return UpdateControl.noUpdate();
        }
        List<DomainResolution> resolutions = refresh.resolutions();
        // the relays plan from these before the status carries them, so that the status is
        // written once, with the outcome
        planning.offer(route, resolutions);
        Map<ResourceKey, RouteStatusFactory.RelayView> views = new TreeMap<>();
        Duration awaitedWrite = Duration.ZERO;
        String namespace = route.getMetadata().getNamespace();
        for (RelayRef ref : route.getSpec().relayRefs) {
            ResourceKey relayKey = RouteAdmission.target(ref, namespace);
            MailRelay relay =
                    relays.get(new ResourceID(relayKey.name(), relayKey.namespace())).orElse(null);
            if (relay == null) {
                views.put(relayKey, new RouteStatusFactory.RelayView(relayKey, null, null, null));
                continue;
            }
            // What the relay controller rendered (null until it planned this relay); new
            // resolutions reach it through Planning.offer (then the route's status), and a changed
            // outcome wakes this route again (Planning.publish).
            RelayPlan plan = planning.publishedFor(relay, route);
            ConfigMap written =
                    configMaps
                            .get(
                                    new ResourceID(
                                            RelayObjects.configMapName(relayKey.name()),
                                            relayKey.namespace()))
                            .orElse(null);
            var view =
                    new RouteStatusFactory.RelayView(
                            relayKey,
                            plan,
                            planning.writtenTransport(
                                    written,
                                    shard ->
                                            configMaps
                                                    .get(
                                                            new ResourceID(
                                                                    shard, relayKey.namespace()))
                                                    .orElse(null)),
                            deliveryReports.of(relayKey, relay.getMetadata().getUid()));
            views.put(relayKey, view);
            Duration behind = planning.planBehind(relay, route, resolutions).orElse(Duration.ZERO);
            Duration inFlight =
                    RouteStatusFactory.awaitsWrite(ResourceKey.of(route), view)
                            ? planning.writeInFlight(relay, written).orElse(Duration.ZERO)
                            : Duration.ZERO;
            awaitedWrite = Collections.max(List.of(awaitedWrite, behind, inFlight));
        }
        MailRouteStatus status =
                RouteStatusFactory.status(route, views.values(), resolutions, clock);
        UpdateControl<MailRoute> control;
        if (status.equals(route.getStatus())) {
            control = UpdateControl.noUpdate();
        } else if (!awaitedWrite.isZero()) {
            // The relay is about to change what this status would say: it has written the
            // route's lines and the ConfigMap event that brings them wakes the route
            // (Planning.routesToWake), or it has not yet planned this generation of the route or
            // these resolutions (offered to it above) and its next plan wakes the route
            // (Planning.publish). A status now would be one write more per route, overwritten
            // within milliseconds. The relay plans from the offered resolutions, not from this
            // status, and the wait is bounded.
            return UpdateControl.<MailRoute>noUpdate().rescheduleAfter(awaitedWrite);
        } else if (RouteStatusFactory.onlyCheckTimesMoved(
                route.getStatus(), status, config.validation().maxRecheck(), now)) {
            // a re-check that found nothing new: kept in memory (offered above, and the next
            // check is scheduled from it), written at least every max-recheck
            control = UpdateControl.noUpdate();
        } else {
            // events compare with the status written before: announced once, with the write
            // that records the change (a held-back status would announce it at every look, and
            // a reconcile from a cache behind our write would announce it again)
            if (!planning.writtenBefore(route, resolutions)) {
                RouteEvents.announce(context.getClient(), route, resolutions);
            }
            route.setStatus(status);
            control = StatusWrites.apply(route);
        }
        DnsValidation.untilNextCheck(resolutions, now).ifPresent(control::rescheduleAfter);
        return control;
    }

    private static boolean specChangedSinceStatus(MailRoute route) {
        return route.getStatus() != null
                && route.getStatus().observedGeneration != null
                && !route.getStatus()
                        .observedGeneration
                        .equals(route.getMetadata().getGeneration());
    }

    @Override
    public ErrorStatusUpdateControl<MailRoute> updateErrorStatus(
            MailRoute route, Context<MailRoute> context, Exception e) {
        route.setStatus(RouteStatusFactory.error(route, e, clock));
        return ErrorStatusUpdateControl.patchStatus(route);
    }
}
