package io.mailroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.SerialisedEquality;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A status is patched only when it differs from the stored one ({@code
 * status.equals(resource.getStatus())} in the reconcilers), so every field of every status class
 * must take part in equality. The classes are found from the custom resources' status types, field
 * by field: a field or a status class added later is checked without editing this test.
 */
class StatusEqualityTest {

    /**
     * The status classes: the custom resources' status types and every api class reachable from
     * their fields.
     */
    static Set<Class<?>> statusClasses() {
        Set<Class<?>> found = new LinkedHashSet<>();
        List<Class<?>> todo = new ArrayList<>();
        for (Class<?> resource : List.of(MailRoute.class, MailRelay.class)) {
            ParameterizedType type = (ParameterizedType) resource.getGenericSuperclass();
            assertThat(type.getRawType()).isEqualTo(CustomResource.class);
            todo.add((Class<?>) type.getActualTypeArguments()[1]);
        }
        while (!todo.isEmpty()) {
            Class<?> c = todo.remove(0);
            if (!found.add(c)) {
                continue;
            }
            for (Field field : fields(c)) {
                Class<?> element = elementType(field.getGenericType());
                if (element.getPackageName().equals(MailRoute.class.getPackageName())
                        && !element.isEnum()) {
                    todo.add(element);
                }
            }
        }
        return found;
    }

    static List<Field> fields(Class<?> c) {
        List<Field> fields = new ArrayList<>();
        for (Field field : c.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                field.setAccessible(true);
                fields.add(field);
            }
        }
        return fields;
    }

    static Class<?> elementType(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return (Class<?>) p.getActualTypeArguments()[0];
        }
        return (Class<?>) type;
    }

    /** A value for {@code field} that differs from {@code current}. */
    static Object otherValue(Field field, Object current) throws ReflectiveOperationException {
        Class<?> type = field.getType();
        if (type == List.class) {
            return List.of(sample(elementType(field.getGenericType())));
        }
        Object sample = sample(type);
        if (sample.equals(current)) {
            sample = type == Boolean.class ? !(Boolean) current : sample(type).toString() + "2";
        }
        return sample;
    }

    static Object sample(Class<?> type) throws ReflectiveOperationException {
        if (type == String.class) {
            return "x";
        } else if (type == Integer.class) {
            return 7;
        } else if (type == Long.class) {
            return 7L;
        } else if (type == Boolean.class) {
            return Boolean.TRUE;
        } else if (type == io.fabric8.kubernetes.api.model.Condition.class) {
            return new ConditionBuilder().withType("Ready").withStatus("True").build();
        } else if (type.isEnum()) {
            return type.getEnumConstants()[0];
        } else if (type.getPackageName().equals(MailRoute.class.getPackageName())) {
            return type.getDeclaredConstructor().newInstance();
        }
        throw new AssertionError(
                "no sample value for " + type + ": add one to StatusEqualityTest.sample");
    }

    @Test
    void findsTheStatusClasses() {
        assertThat(statusClasses())
                .extracting(Class::getSimpleName)
                .contains(
                        "MailRouteStatus",
                        "DomainStatus",
                        "DomainResolution",
                        "MxHostStatus",
                        "MailRelayStatus",
                        "RelayPodStatus");
    }

    @Test
    void everyStatusClassComparesItsSerialisedForm() {
        assertThat(statusClasses())
                .allSatisfy(c -> assertThat(SerialisedEquality.class).isAssignableFrom(c));
    }

    @Test
    void changingAnyFieldOfAnyStatusClassMakesTheStatusDifferent()
            throws ReflectiveOperationException {
        List<String> checked = new ArrayList<>();
        for (Class<?> c : statusClasses()) {
            Object fresh = c.getDeclaredConstructor().newInstance();
            assertThat(c.getDeclaredConstructor().newInstance())
                    .as("%s: two new ones", c.getSimpleName())
                    .isEqualTo(fresh)
                    .hasSameHashCodeAs(fresh);
            for (Field field : fields(c)) {
                Object changed = c.getDeclaredConstructor().newInstance();
                field.set(changed, otherValue(field, field.get(changed)));
                assertThat(changed)
                        .as("%s.%s changed", c.getSimpleName(), field.getName())
                        .isNotEqualTo(fresh);
                assertThat(fresh)
                        .as("%s.%s changed (other way)", c.getSimpleName(), field.getName())
                        .isNotEqualTo(changed);
                assertThat(changed.hashCode())
                        .as("%s.%s hashCode", c.getSimpleName(), field.getName())
                        .isNotEqualTo(fresh.hashCode());
                Object same = c.getDeclaredConstructor().newInstance();
                field.set(same, field.get(changed));
                assertThat(same)
                        .as("%s.%s same value", c.getSimpleName(), field.getName())
                        .isEqualTo(changed)
                        .hasSameHashCodeAs(changed);
                checked.add(c.getSimpleName() + "." + field.getName());
            }
        }
        assertThat(checked)
                .contains(
                        "MailRouteStatus.domains",
                        "DomainStatus.state",
                        "DomainResolution.nextCheckAt",
                        "RelayPodStatus.liveHash",
                        "MxHostStatus.tcpNeeded",
                        "MailRelayStatus.pods");
    }
}
