package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up of JSON readers (JsonReaderWarmup) must actually build them: every listed
 * type reads from an empty object (a failure would only be logged at debug level and the event
 * loops would build the reader again, silently), and every dependent resource's type is listed.
 */
class JsonReaderWarmupTest {

    @Test
    void everyListedTypeReadsFromAnEmptyObject() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (Class<?> type : JsonReaderWarmup.LISTED) {
            Object read = serialization.unmarshal("{}", type);
            assertThat(read).as(type.getName()).isInstanceOf(type);
        }
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
                    JsonReaderWarmup.LISTED.stream()
                            .anyMatch(l -> l.getSimpleName().equals(type.getSimpleName()));
            assertThat(listedOrSameName)
                    .as("%s (the Kubernetes 1.20 variant of a listed type counts)", type.getName())
                    .isTrue();
        }
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
