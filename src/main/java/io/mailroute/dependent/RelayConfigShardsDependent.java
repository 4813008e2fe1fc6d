package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.mailroute.api.v1alpha1.MailRelay;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The shard ConfigMaps {@code <relay>-config-<n>} of a large relay configuration ({@link
 * RelayConfigLayout}): one part of a map each. Written before the main ConfigMap, whose manifest
 * names them; shards no longer needed are emptied. Shares the main ConfigMap dependent's informer
 * (one cache of the operator's ConfigMaps).
 */
public class RelayConfigShardsDependent
        extends CRUDKubernetesDependentResource<ConfigMap, MailRelay>
        implements BulkDependentResource<ConfigMap, MailRelay, String> {

    public RelayConfigShardsDependent() {
        super(ConfigMap.class);
    }

    @Override
    public Map<String, ConfigMap> desiredResources(MailRelay relay, Context<MailRelay> context) {
        RelayRenderContext render = RelayRenderContext.of(context);
        List<Map<String, String>> shards = render.layout().shards();
        Map<String, ConfigMap> desired = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = RelayObjects.configShardName(relay.getMetadata().getName(), i + 1);
            desired.put(
                    name,
                    new ConfigMapBuilder()
                            .withMetadata(
                                    RelayObjects.metadata(
                                            relay, name, RelayObjects.COMPONENT_CONFIG))
                            .withData(shards.get(i))
                            .build());
        }
        return desired;
    }

    @Override
    public Map<String, ConfigMap> getSecondaryResources(
            MailRelay relay, Context<MailRelay> context) {
        String relayName = relay.getMetadata().getName();
        return context.getSecondaryResourcesAsStream(ConfigMap.class)
                .filter(cm -> RelayObjects.isConfigShardName(relayName, cm.getMetadata().getName()))
                .collect(Collectors.toMap(cm -> cm.getMetadata().getName(), cm -> cm));
    }

    /**
     * A shard no longer needed is emptied, not deleted: the operator holds no right to delete
     * ConfigMaps (see the chart's RBAC); an empty shard adds no file to the relay's directory, and
     * garbage collection removes it with the MailRelay.
     */
    @Override
    public void deleteTargetResource(
            MailRelay relay, ConfigMap shard, String name, Context<MailRelay> context) {
        if (shard.getData() == null || shard.getData().isEmpty()) {
            return;
        }
        ConfigMap emptied = new ConfigMapBuilder(shard).withData(Map.of()).build();
        context.getClient().resource(emptied).update();
    }

    @Override
    public Result<ConfigMap> match(
            ConfigMap actual, ConfigMap desired, MailRelay relay, Context<MailRelay> context) {
        return Result.computed(ConfigMapContent.matches(actual, desired), desired);
    }
}
