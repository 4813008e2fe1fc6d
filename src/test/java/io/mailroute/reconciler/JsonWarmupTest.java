package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up of JSON readers (JsonWarmup) must actually build them: every listed type
 * reads from an empty object (a failure would only be logged at debug level and the event loops
 * would build the reader again, silently), and every dependent resource's type is listed.
 */
class JsonWarmupTest {

    @Test
    void everyListedTypeReadsFromAnEmptyObject() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (Class<?> type : JsonWarmup.LISTED) {
            Object read = serialization.unmarshal("{}", type);
            assertThat(read).as(type.getName()).isInstanceOf(type);
        }
    }

    @Test
    void everyWrittenObjectConvertsToAMapWithItsSpec() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> written = JsonWarmup.written();
        assertThat(written)
                .extracting(o -> o.getClass().getSimpleName())
                .contains("StatefulSet", "Service", "PodDisruptionBudget");
        for (HasMetadata object : written) {
            Map<String, Object> map = toMap(serialization, object);
            assertThat(map).as(object.getClass().getName()).containsKey("spec");
        }
    }

    @Test
    void theLiveStatefulSetHasWhatOnlyTheApiServerAdds() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        Map<String, Object> live =
                JsonWarmup.written().stream()
                        .filter(o -> o instanceof StatefulSet s && s.getStatus() != null)
                        .map(o -> toMap(serialization, o))
                        .findFirst()
                        .orElseThrow();
        assertThat(live).containsKey("status");
        assertThat(toMap(serialization, live.get("metadata"))).containsKey("managedFields");
    }

    @Test
    void everyDependentResourceTypeIsListed() {
        List<Class<?>> dependentTypes = new ArrayList<>();
        for (JavaClass dependent :
                new ClassFileImporter()
                        .importPackages("io.mailroute.dependent", "io.mailroute.compat")) {
            Class<?> type = dependent.reflect();
            if (KubernetesDependentResource.class.isAssignableFrom(type)
                    && !dependent.getModifiers().contains(JavaModifier.ABSTRACT)) {
                dependentTypes.add(resourceType(type));
            }
        }
        assertThat(dependentTypes).isNotEmpty();
        for (Class<?> type : dependentTypes) {
            boolean listedOrSameName =
                    JsonWarmup.LISTED.stream()
                            .anyMatch(l -> l.getSimpleName().equals(type.getSimpleName()));
            assertThat(listedOrSameName)
                    .as("%s (the Kubernetes 1.20 variant of a listed type counts)", type.getName())
                    .isTrue();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(KubernetesSerialization serialization, Object o) {
        return serialization.convertValue(o, Map.class);
    }

    /** R of a dependent declared as ...DependentResource<R, P>. */
    private static Class<?> resourceType(Class<?> dependent) {
        Type superclass = dependent.getGenericSuperclass();
        while (!(superclass instanceof ParameterizedType)) {
            superclass = ((Class<?>) superclass).getGenericSuperclass();
        }
        return (Class<?>) ((ParameterizedType) superclass).getActualTypeArguments()[0];
    }
}
