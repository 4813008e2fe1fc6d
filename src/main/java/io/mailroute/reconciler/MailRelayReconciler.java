package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelayStatus;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.RelayPodStatus;
import io.mailroute.api.v1alpha1.RelayRef;
import io.mailroute.compat.k8s120.PolicyApi;
import io.mailroute.compat.k8s120.PolicyV1Served;
import io.mailroute.compat.k8s120.RelayDisruptionBudgetV1beta1Dependent;
import io.mailroute.dependent.NeedsSaslSecret;
import io.mailroute.dependent.RelayConfigMapDependent;
import io.mailroute.dependent.RelayConfigShardsDependent;
import io.mailroute.dependent.RelayDisruptionBudgetDependent;
import io.mailroute.dependent.RelayLayoutMemo;
import io.mailroute.dependent.RelayObjects;
import io.mailroute.dependent.RelayQueueDrains;
import io.mailroute.dependent.RelayRenderContext;
import io.mailroute.dependent.RelaySaslSecretDependent;
import io.mailroute.dependent.RelayServiceDependent;
import io.mailroute.dependent.RelayStatefulSetDependent;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RouteAdmission;
import io.mailroute.status.StatusNames.Reason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Renders a relay's configuration from the routes that reference it and keeps the relay's
 * ConfigMap, SASL Secret, Service and StatefulSet in line. Route changes reach it through an
 * informer on MailRoutes. Secrets referenced by routes are re-read at least every five minutes
 * (maxReconciliationInterval).
 */
@Workflow(
        explicitInvocation = true,
        dependents = {
            @Dependent(
                    name = "config-shards",
                    type = RelayConfigShardsDependent.class,
                    useEventSourceWithName = MailRelayReconciler.CONFIG_MAPS),
            @Dependent(
                    name = "config",
                    type = RelayConfigMapDependent.class,
                    useEventSourceWithName = MailRelayReconciler.CONFIG_MAPS,
                    dependsOn = "config-shards"),
            @Dependent(
                    name = "sasl",
                    type = RelaySaslSecretDependent.class,
                    reconcilePrecondition = NeedsSaslSecret.class),
            @Dependent(name = "service", type = RelayServiceDependent.class),
            @Dependent(
                    name = "statefulset",
                    type = RelayStatefulSetDependent.class,
                    dependsOn = "config"),
            @Dependent(
                    name = "pdb",
                    type = RelayDisruptionBudgetDependent.class,
                    activationCondition =
                            PolicyV1Served.class), // k8s 1.20 compat: no condition without it
            // k8s 1.20 compat (io.mailroute.compat.k8s120): delete with that package
            @Dependent(
                    name = "pdb-v1beta1",
                    type = RelayDisruptionBudgetV1beta1Dependent.class,
                    activationCondition = RelayDisruptionBudgetV1beta1Dependent.Served.class)
        })
@ControllerConfiguration(
        name = "mailrelay",
        maxReconciliationInterval =
                @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class MailRelayReconciler implements Reconciler<MailRelay> {
    private static final Logger LOG = Logger.getLogger(MailRelayReconciler.class);
    static final String ROUTES = "routes";
    static final String CONFIG_MAPS = "config-maps";
    static final String RELAY_FEED = "relays-feed";
    static final String PODS = "relay-pods";
    static final String CLAIMS = "queue-claims";
    static final String DRAINS = "queue-drains";

    /** How soon to look again while a written configuration is not yet live in every ready pod. */
    static final Duration LIVE_RECHECK = Duration.ofSeconds(5);

    @Inject Planning planning;
    @Inject OperatorConfig config;
    @Inject DeliveryReports deliveryReports;
    @Inject MeterRegistry registry;
    @Inject SharedCaches caches;

    /**
     * A relay not rendered for this long was deleted: every relay is reconciled at least every five
     * minutes (maxReconciliationInterval).
     */
    static final Duration LAYOUT_IDLE = Duration.ofMinutes(15);

    /** The parts of each relay's last sharded layout, so that an edit hashes only its own. */
    final RelayLayoutMemo layouts = new RelayLayoutMemo(LAYOUT_IDLE);

    Clock clock = Clock.systemUTC();
    private Timer planTimer;
    private Timer renderTimer;
    private Timer writeTimer;

    @Override
    public List<EventSource<?, MailRelay>> prepareEventSources(
            EventSourceContext<MailRelay> context) {
        planTimer =
                Timer.builder("mailroute.relay.plan.duration")
                        .description("Planning a relay from its routes (all routes, every time)")
                        .publishPercentileHistogram()
                        .register(registry);
        renderTimer =
                Timer.builder("mailroute.relay.render.duration")
                        .description(
                                "Laying a relay's planned configuration out over ConfigMaps: file"
                                        + " order, shards, config-hash and part digests")
                        .publishPercentileHistogram()
                        .register(registry);
        writeTimer =
                Timer.builder("mailroute.relay.write.duration")
                        .description(
                                "Bringing a relay's ConfigMaps, Secret, Service and StatefulSet"
                                        + " in line with its plan (API requests included)")
                        .publishPercentileHistogram()
                        .register(registry);
        askPolicyApiEarly(context.getClient());
        Duration syncTimeout =
                context.getControllerConfiguration().getConfigurationService().cacheSyncTimeout();
        // The routes are the MailRoute controller's informer (SharedCaches): read, not listed and
        // watched a second time.
        SharedCache<MailRoute> sharedRoutes = caches.routes();
        var routes =
                new CacheView<MailRoute, MailRelay>(
                        MailRoute.class,
                        ROUTES,
                        sharedRoutes,
                        route -> true,
                        MailRelayReconciler::relaysOf,
                        relay -> {
                            ResourceID id = ResourceID.fromResource(relay);
                            return sharedRoutes
                                    .list(route -> relaysOf(route).contains(id))
                                    .map(ResourceID::fromResource)
                                    .collect(Collectors.toSet());
                        },
                        (updated, old) -> changesPlan(updated, old, planning.offered(updated)),
                        syncTimeout);
        // The relays' ConfigMaps, which the config dependents write; the MailRoute controller
        // reads them through SharedCaches.
        var configMaps =
                new SharedInformerEventSource<>(
                        InformerEventSourceConfiguration.from(ConfigMap.class, MailRelay.class)
                                .withName(CONFIG_MAPS)
                                .withLabelSelector(RelayObjects.MANAGED_SELECTOR)
                                .withSecondaryToPrimaryMapper(
                                        Mappers.fromOwnerReferences(MailRelay.class, false))
                                .build(),
                        context,
                        caches.relayConfigMaps());
        var pods =
                InformerEventSourceConfiguration.from(Pod.class, MailRelay.class)
                        .withName(PODS)
                        .withLabelSelector(RelayObjects.POD_SELECTOR)
                        .withSecondaryToPrimaryMapper(
                                pod -> {
                                    String relay = RelayObjects.relayOf(pod);
                                    return relay == null
                                            ? Set.of()
                                            : Set.of(
                                                    new ResourceID(
                                                            relay,
                                                            pod.getMetadata().getNamespace()));
                                })
                        .build();
        var claims =
                InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, MailRelay.class)
                        .withName(CLAIMS)
                        .withLabelSelector(RelayQueueDrains.CLAIM_SELECTOR)
                        .withSecondaryToPrimaryMapper(
                                claim -> byLabel(claim, RelayObjects.INSTANCE_LABEL))
                        .build();
        var drains =
                InformerEventSourceConfiguration.from(Job.class, MailRelay.class)
                        .withName(DRAINS)
                        .withLabelSelector(RelayQueueDrains.SELECTOR)
                        .withSecondaryToPrimaryMapper(job -> byLabel(job, RelayObjects.RELAY_LABEL))
                        .build();
        return List.of(
                routes,
                configMaps,
                // the MailRoute controller reads this controller's informer of relays
                new PrimaryFeed<>(RELAY_FEED, caches.relays(), context.getPrimaryCache()),
                planning.relayEvents(),
                new InformerEventSource<>(pods, context),
                new InformerEventSource<>(claims, context),
                new InformerEventSource<>(drains, context));
    }

    /**
     * k8s 1.20 compat (delete with io.mailroute.compat.k8s120): asks which PodDisruptionBudget API
     * the cluster serves while the informers start, on a daemon thread, so that the first
     * reconcile's activation condition finds the answer instead of making the discovery request.
     */
    private static void askPolicyApiEarly(KubernetesClient client) {
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                PolicyApi.servesV1(client);
                            } catch (RuntimeException e) {
                                // the first reconcile asks again
                                LOG.debugf("asking for the policy API early failed: %s", e);
                            }
                        },
                        "mailroute-policy-api");
        thread.setDaemon(true);
        thread.start();
    }

    private static Set<ResourceID> byLabel(
            io.fabric8.kubernetes.api.model.HasMetadata object, String label) {
        Map<String, String> labels = object.getMetadata().getLabels();
        String relay = labels == null ? null : labels.get(label);
        return relay == null
                ? Set.of()
                : Set.of(new ResourceID(relay, object.getMetadata().getNamespace()));
    }

    /**
     * Whether a route update can change what its relays render: its spec (generation), its DNS
     * resolutions (validation reads them from the status), labels, annotations or deletion. The
     * route controller's own status writes (conditions, programmed next hops) do not, and a relay
     * of 10,000 routes would otherwise be planned again for each of them.
     */
    static boolean changesPlan(MailRoute updated, MailRoute old) {
        return changesPlan(updated, old, null);
    }

    /**
     * {@link #changesPlan(MailRoute, MailRoute)}, where resolutions equal to {@code offered} (what
     * the relay already plans from for this route, {@link Planning#offered}, or null) change
     * nothing either: the route controller's status write after the relay rendered them.
     */
    static boolean changesPlan(MailRoute updated, MailRoute old, List<DomainResolution> offered) {
        var a = updated.getMetadata();
        var b = old.getMetadata();
        List<DomainResolution> resolutions = resolutions(updated);
        return !Objects.equals(a.getGeneration(), b.getGeneration())
                || !Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
                || !Objects.equals(a.getLabels(), b.getLabels())
                || !Objects.equals(a.getAnnotations(), b.getAnnotations())
                || !Objects.equals(resolutions, resolutions(old))
                        && (offered == null || !Objects.equals(resolutions, offered));
    }

    private static List<DomainResolution> resolutions(MailRoute route) {
        return route.getStatus() == null ? null : route.getStatus().resolutions;
    }

    static Set<ResourceID> relaysOf(MailRoute route) {
        if (route.getSpec() == null || route.getSpec().relayRefs == null) {
            return Set.of();
        }
        String namespace = route.getMetadata().getNamespace();
        return route.getSpec().relayRefs.stream()
                .filter(ref -> ref != null && ref.name != null)
                .map((RelayRef ref) -> RouteAdmission.target(ref, namespace))
                .map(key -> new ResourceID(key.name(), key.namespace()))
                .collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<MailRelay> reconcile(MailRelay relay, Context<MailRelay> context) {
        @SuppressWarnings("unchecked")
        CacheView<MailRoute, MailRelay> routes =
                (CacheView<MailRoute, MailRelay>)
                        context.eventSourceRetriever().getEventSourceFor(MailRoute.class, ROUTES);
        // with the DNS resolutions routes found and have not written yet (Planning.offer)
        long planStart = System.nanoTime();
        List<MailRoute> allRoutes = planning.withPending(routes.list().toList());
        RelayPlan plan = planning.plan(relay, allRoutes, context.getClient());
        planTimer.record(System.nanoTime() - planStart, TimeUnit.NANOSECONDS);
        String configHash = null;
        RelayRenderContext render = null;
        if (plan.config().isPresent()) {
            String image =
                    relay.getSpec().image == null ? config.relay().image() : relay.getSpec().image;
            String hashKey =
                    RelayRenderContext.hashKey(
                            context.getSecondaryResource(Secret.class).orElse(null));
            long renderStart = System.nanoTime();
            ResourceID id = ResourceID.fromResource(relay);
            render =
                    RelayRenderContext.render(
                            plan.config().get(), image, hashKey, layouts.previous(id));
            layouts.remember(id, render.digests());
            renderTimer.record(System.nanoTime() - renderStart, TimeUnit.NANOSECONDS);
            String foreign = foreignConfigMap(relay, context, configMapNames(relay, render));
            if (foreign != null) {
                plan =
                        new RelayPlan(
                                plan.relay(),
                                java.util.Optional.empty(),
                                Reason.CONFIG_MAP_NOT_OWNED,
                                foreign,
                                plan.routes());
            }
        } else {
            // nothing rendered: a relay without configuration keeps no parts in memory
            layouts.forget(ResourceID.fromResource(relay));
        }
        if (plan.config().isPresent()) {
            configHash = render.configHash();
            render.putInto(context);
            long writeStart = System.nanoTime();
            context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
            writeTimer.record(System.nanoTime() - writeStart, TimeUnit.NANOSECONDS);
        }
        // after the ConfigMap write: the routes woken now find their lines written
        planning.publish(relay, plan, allRoutes, configHash);
        StatefulSet statefulSet = context.getSecondaryResource(StatefulSet.class).orElse(null);
        @SuppressWarnings("unchecked")
        InformerEventSource<Pod, MailRelay> podSource =
                (InformerEventSource<Pod, MailRelay>)
                        context.eventSourceRetriever().getEventSourceFor(Pod.class, PODS);
        List<RelayPodProbe.Probe> probes =
                podSource
                        .list(
                                relay.getMetadata().getNamespace(),
                                pod ->
                                        relay.getMetadata()
                                                .getName()
                                                .equals(RelayObjects.relayOf(pod)))
                        .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                        .map(RelayPodProbe::probeWithDelivery)
                        .toList();
        List<RelayPodStatus> pods = probes.stream().map(RelayPodProbe.Probe::status).toList();
        // delivery of ready pods only: a pod that is starting or gone says nothing about the
        // relay's mail now
        deliveryReports.publish(
                relay.getMetadata().getUid(),
                plan,
                probes.stream()
                        .filter(p -> Boolean.TRUE.equals(p.status().ready) && p.delivery() != null)
                        .map(RelayPodProbe.Probe::delivery)
                        .toList(),
                clock.instant());
        if (statefulSet != null) {
            drainRemovedQueues(relay, statefulSet, context);
        }
        MailRelayStatus status =
                RelayStatusFactory.status(relay, plan, configHash, statefulSet, pods, clock);
        UpdateControl<MailRelay> control;
        if (status.equals(relay.getStatus())) {
            control = UpdateControl.noUpdate();
        } else {
            relay.setStatus(status);
            control = StatusWrites.apply(relay);
        }
        if (RelayStatusFactory.waitingForLiveConfig(status)) {
            control.rescheduleAfter(LIVE_RECHECK);
        } else if (pods.stream().anyMatch(p -> Boolean.TRUE.equals(p.ready))) {
            // delivery summaries are not events: ask the pods again
            // (mailroute.delivery.poll-interval)
            control.rescheduleAfter(config.delivery().pollInterval());
        }
        return control;
    }

    /**
     * The relay's ConfigMap and the shard ConfigMaps its configuration needs ({@link
     * RelayConfigLayout}).
     */
    private static List<String> configMapNames(MailRelay relay, RelayRenderContext render) {
        String name = relay.getMetadata().getName();
        List<String> names = new java.util.ArrayList<>(List.of(RelayObjects.configMapName(name)));
        int shards = render.layout().shards().size();
        for (int n = 1; n <= shards; n++) {
            names.add(RelayObjects.configShardName(name, n));
        }
        return names;
    }

    /**
     * Queue volumes of pods a scale-down removed get a drain Job; a Job whose ordinal is back in
     * the StatefulSet is deleted (RelayQueueDrains).
     */
    @SuppressWarnings("unchecked")
    static void drainRemovedQueues(
            MailRelay relay, StatefulSet statefulSet, Context<MailRelay> context) {
        String name = relay.getMetadata().getName();
        String namespace = relay.getMetadata().getNamespace();
        String workload = RelayObjects.workloadName(name);
        var retriever = context.eventSourceRetriever();
        List<String> claims =
                ((InformerEventSource<PersistentVolumeClaim, MailRelay>)
                                retriever.getEventSourceFor(PersistentVolumeClaim.class, CLAIMS))
                        .list(namespace, c -> name.equals(RelayObjects.relayOf(c)))
                        .map(c -> c.getMetadata().getName())
                        .toList();
        Set<String> pods =
                ((InformerEventSource<Pod, MailRelay>) retriever.getEventSourceFor(Pod.class, PODS))
                        .list(namespace, p -> name.equals(RelayObjects.relayOf(p)))
                        .map(p -> p.getMetadata().getName())
                        .collect(Collectors.toSet());
        Map<Integer, String> jobs =
                ((InformerEventSource<Job, MailRelay>)
                                retriever.getEventSourceFor(Job.class, DRAINS))
                        .list(
                                namespace,
                                j ->
                                        name.equals(
                                                j.getMetadata()
                                                        .getLabels()
                                                        .get(RelayObjects.RELAY_LABEL)))
                        // only Jobs this relay created: its owner reference, an ordinal label of
                        // digits
                        .filter(
                                j ->
                                        j.getMetadata().getOwnerReferences() != null
                                                && j.getMetadata().getOwnerReferences().stream()
                                                        .anyMatch(
                                                                o ->
                                                                        o.getUid() != null
                                                                                && o.getUid()
                                                                                        .equals(
                                                                                                relay.getMetadata()
                                                                                                        .getUid())))
                        .filter(
                                j ->
                                        String.valueOf(
                                                        j.getMetadata()
                                                                .getLabels()
                                                                .get(
                                                                        RelayQueueDrains
                                                                                .ORDINAL_LABEL))
                                                .matches("[0-9]{1,6}"))
                        .collect(
                                Collectors.toMap(
                                        j ->
                                                Integer.parseInt(
                                                        j.getMetadata()
                                                                .getLabels()
                                                                .get(
                                                                        RelayQueueDrains
                                                                                .ORDINAL_LABEL)),
                                        j -> j.getMetadata().getName(),
                                        (a, b) -> a));
        int replicas = relay.getSpec().replicas == null ? 1 : relay.getSpec().replicas;
        RelayQueueDrains.Plan plan = RelayQueueDrains.plan(workload, replicas, claims, pods, jobs);
        for (int ordinal : plan.create()) {
            try {
                context.getClient()
                        .resource(RelayQueueDrains.job(relay, statefulSet, ordinal))
                        .create();
                LOG.infof(
                        "MailRelay %s/%s: pod %s-%d is gone, its queue volume %s may hold mail: drain Job %s started",
                        namespace,
                        name,
                        workload,
                        ordinal,
                        RelayQueueDrains.claimName(workload, ordinal),
                        RelayQueueDrains.jobName(workload, ordinal));
            } catch (KubernetesClientException e) {
                if (e.getCode()
                        != 409) { // 409: created by an earlier reconcile, not in the cache yet
                    throw e;
                }
            }
        }
        for (String job : plan.delete()) {
            context.getClient()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(namespace)
                    .withName(job)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
            LOG.infof(
                    "MailRelay %s/%s: drain Job %s deleted, its ordinal is back in the StatefulSet",
                    namespace, name, job);
        }
    }

    /**
     * Why one of the relay's ConfigMap names is taken by an object this relay does not own (no
     * owner reference with the relay's UID: made by someone else, or by another relay before a
     * rename), or null. The operator never adopts or overwrites such an object. The cache holds
     * only ConfigMaps the operator labelled, so a miss is confirmed with one GET.
     */
    static String foreignConfigMap(
            MailRelay relay, Context<MailRelay> context, List<String> names) {
        String namespace = relay.getMetadata().getNamespace();
        String uid = relay.getMetadata().getUid();
        Map<String, ConfigMap> cached =
                context.getSecondaryResourcesAsStream(ConfigMap.class)
                        .collect(
                                Collectors.toMap(
                                        c -> c.getMetadata().getName(), c -> c, (a, b) -> a));
        for (String name : names) {
            ConfigMap existing =
                    cached.containsKey(name)
                            ? cached.get(name)
                            : context.getClient()
                                    .configMaps()
                                    .inNamespace(namespace)
                                    .withName(name)
                                    .get();
            if (existing == null) {
                continue;
            }
            boolean owned =
                    existing.getMetadata().getOwnerReferences() != null
                            && existing.getMetadata().getOwnerReferences().stream()
                                    .anyMatch(
                                            o ->
                                                    "MailRelay".equals(o.getKind())
                                                            && uid != null
                                                            && uid.equals(o.getUid()));
            if (!owned) {
                return "ConfigMap "
                        + namespace
                        + "/"
                        + name
                        + " already exists and is not owned by this MailRelay; "
                        + "the operator does not take it over: delete or rename that ConfigMap (or this MailRelay)";
            }
        }
        return null;
    }

    @Override
    public ErrorStatusUpdateControl<MailRelay> updateErrorStatus(
            MailRelay relay, Context<MailRelay> context, Exception e) {
        relay.setStatus(RelayStatusFactory.error(relay, e, clock));
        return ErrorStatusUpdateControl.patchStatus(relay);
    }
}
