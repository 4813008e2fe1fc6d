package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.ResourceIDMapper;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.external.PerResourcePollingDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ExternalResourceCachingEventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfiguration;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.postfix.PostfixConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The relay's SASL password map and the key of the public configuration hash ({@code hash-key}, see
 * {@link PostfixConfig#hash(String)}); exists only while some route uses credentials (see {@link
 * NeedsSaslSecret}).
 *
 * <p>Why polling and not an informer: an informer needs {@code list} and {@code watch} on Secrets,
 * and Kubernetes RBAC cannot narrow those verbs to a label or a name pattern, so a Secret informer
 * would let the operator's ServiceAccount read every Secret of every namespace it serves. This
 * dependent reads its one Secret by name ({@code get}) when a relay is first seen (taken by its
 * first reconcile, {@link FirstReads}) and then every {@link #POLL_PERIOD}, which also notices a
 * Secret deleted or edited by someone else; the chart grants no {@code list}/{@code watch} on
 * Secrets at all. Deleting the MailRelay removes the Secret through its owner reference (garbage
 * collection, no finalizer); the operator deletes it itself only when no route needs credentials
 * any more.
 */
public class RelaySaslSecretDependent
        extends PerResourcePollingDependentResource<Secret, MailRelay, ResourceID>
        implements Creator<Secret, MailRelay>,
                Updater<Secret, MailRelay>,
                GarbageCollected<MailRelay> {
    public static final String KEY = "sasl_passwd";

    /** How often the Secret is read back by name to notice changes made by others. */
    static final Duration POLL_PERIOD = Duration.ofSeconds(30);

    private volatile KubernetesClient client;

    /**
     * The first read of each relay's Secret, begun when the relay is first seen ({@link
     * Poller#onResourceCreated}), so that the relay's first reconcile does not wait for it.
     */
    private volatile FirstReads<Set<Secret>> firstReads;

    public RelaySaslSecretDependent() {
        super(Secret.class, POLL_PERIOD, ResourceIDMapper.kubernetesResourceIdMapper());
    }

    @Override
    protected Secret desired(MailRelay relay, Context<MailRelay> context) {
        RelayRenderContext render = RelayRenderContext.of(context);
        String saslPasswd = render.config().saslPasswd();
        return new SecretBuilder()
                .withMetadata(
                        RelayObjects.metadata(
                                relay,
                                RelayObjects.saslSecretName(relay.getMetadata().getName()),
                                RelayObjects.COMPONENT_SASL))
                .withType("Opaque")
                .withData(
                        Map.of(
                                KEY,
                                base64(saslPasswd),
                                PostfixConfig.HASH_KEY,
                                base64(render.hashKey())))
                .build();
    }

    @Override
    protected ExternalResourceCachingEventSource<Secret, MailRelay, ResourceID> createEventSource(
            EventSourceContext<MailRelay> context) {
        client = context.getClient();
        firstReads = new FirstReads<>(this::read, "mailroute-relay-secret-reads");
        return new Poller(
                firstReads,
                context,
                new PerResourcePollingConfigurationBuilder<Secret, MailRelay, ResourceID>(
                                this, getPollingPeriod())
                        .withResourceIDMapper(resourceIDMapper())
                        .withName(name())
                        .build());
    }

    /**
     * The relay's Secret read by name, or nothing: one GET, never a list. The relay's first read
     * may have been made a moment before (at most {@link FirstReads#FRESH}) and is taken from
     * there.
     */
    @Override
    public Set<Secret> fetchResources(MailRelay relay) {
        ResourceID id = ResourceID.fromResource(relay);
        return firstReads.take(id).orElseGet(() -> read(id));
    }

    private Set<Secret> read(ResourceID relay) {
        Secret secret =
                client.secrets()
                        .inNamespace(relay.getNamespace().orElseThrow())
                        .withName(RelayObjects.saslSecretName(relay.getName()))
                        .get();
        return secret == null ? Set.of() : Set.of(secret);
    }

    /**
     * The relay's Secret among those polled, chosen by name (the default would render the desired
     * Secret).
     */
    @Override
    protected Optional<Secret> selectTargetSecondaryResource(
            Set<Secret> secondaries, MailRelay relay, Context<MailRelay> context) {
        String name = RelayObjects.saslSecretName(relay.getMetadata().getName());
        return secondaries.stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst();
    }

    /** Matches when the data, type and the operator's labels and owner reference are as desired. */
    @Override
    public Matcher.Result<Secret> match(
            Secret actual, MailRelay relay, Context<MailRelay> context) {
        Secret desired = desired(relay, context);
        Map<String, String> labels = actual.getMetadata().getLabels();
        boolean matched =
                Objects.equals(desired.getData(), actual.getData())
                        && Objects.equals(desired.getType(), actual.getType())
                        && labels != null
                        && labels.entrySet()
                                .containsAll(desired.getMetadata().getLabels().entrySet())
                        && actual.getMetadata().getOwnerReferences() != null
                        && actual.getMetadata()
                                .getOwnerReferences()
                                .containsAll(desired.getMetadata().getOwnerReferences());
        return Matcher.Result.computed(matched, desired);
    }

    @Override
    public Secret create(Secret desired, MailRelay relay, Context<MailRelay> context) {
        return context.getClient().resource(desired).create();
    }

    /**
     * Replaces the Secret's data, keeping what others added to its metadata; a concurrent change
     * fails and retries.
     */
    @Override
    public Secret update(
            Secret actual, Secret desired, MailRelay relay, Context<MailRelay> context) {
        Secret updated =
                new SecretBuilder(actual)
                        .withType(desired.getType())
                        .withData(desired.getData())
                        .withStringData(null)
                        .editMetadata()
                        .addToLabels(desired.getMetadata().getLabels())
                        .withOwnerReferences(desired.getMetadata().getOwnerReferences())
                        .endMetadata()
                        .build();
        return context.getClient().resource(updated).update();
    }

    @Override
    protected void handleDelete(MailRelay relay, Secret secret, Context<MailRelay> context) {
        if (secret == null) {
            return; // none polled: nothing to delete
        }
        context.getClient()
                .secrets()
                .inNamespace(relay.getMetadata().getNamespace())
                .withName(secret.getMetadata().getName())
                .delete();
        eventSource().ifPresent(source -> ((Poller) source).forget(ResourceID.fromResource(relay)));
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The polling cache, which can also forget a Secret the operator just deleted (instead of up to
     * a poll later), and which begins a relay's first read when the relay is first seen.
     */
    private static final class Poller
            extends PerResourcePollingEventSource<Secret, MailRelay, ResourceID> {
        private final FirstReads<Set<Secret>> firstReads;

        Poller(
                FirstReads<Set<Secret>> firstReads,
                EventSourceContext<MailRelay> context,
                PerResourcePollingConfiguration<Secret, MailRelay, ResourceID> configuration) {
            super(Secret.class, context, configuration);
            this.firstReads = firstReads;
        }

        /**
         * Also called for every relay the informer lists at start, before the leader election: the
         * read is made while this replica waits to lead, not in the first reconcile.
         */
        @Override
        public void onResourceCreated(MailRelay relay) {
            super.onResourceCreated(relay);
            firstReads.begin(ResourceID.fromResource(relay));
        }

        @Override
        public void onResourceDeleted(MailRelay relay) {
            firstReads.forget(ResourceID.fromResource(relay));
            super.onResourceDeleted(relay);
        }

        @Override
        public void stop() {
            firstReads.close();
            super.stop();
        }

        void forget(ResourceID relay) {
            handleResources(relay, Set.of());
        }
    }
}
