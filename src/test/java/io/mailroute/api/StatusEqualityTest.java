package io.mailroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
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
import java.util.Random;
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

    /**
     * SerialisedEquality compares public fields instead of JSON trees: that is the same only while
     * the fields are exactly the properties Jackson writes (a getter, or a field Jackson skips,
     * would make the two differ).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theComparedFieldsAreThePropertiesJacksonWrites() {
        ObjectMapper json = new ObjectMapper();
        for (Class<?> c : statusClasses()) {
            BeanDescription description =
                    json.getSerializationConfig().introspect(json.constructType(c));
            List<String> written =
                    description.findProperties().stream()
                            .filter(BeanPropertyDefinition::couldSerialize)
                            .map(BeanPropertyDefinition::getName)
                            .toList();
            assertThat(SerialisedEquality.comparedProperties((Class<SerialisedEquality>) c))
                    .as("%s", c.getSimpleName())
                    .containsExactlyInAnyOrderElementsOf(written);
        }
    }

    /**
     * Random statuses (each field null, a sample value or another one; nested objects likewise):
     * equal exactly when their JSON trees are, with equal hash codes when equal.
     */
    @Test
    void equalityAgreesWithTheJsonTree() throws ReflectiveOperationException {
        ObjectMapper json = new ObjectMapper();
        Random random = new Random(9);
        int equalPairs = 0;
        for (Class<?> c : statusClasses()) {
            for (int i = 0; i < 300; i++) {
                Object a = randomInstance(c, random, 2);
                Object b = random.nextInt(3) == 0 ? copyOf(a, json) : randomInstance(c, random, 2);
                boolean sameTree = json.valueToTree(a).equals(json.valueToTree(b));
                assertThat(a.equals(b))
                        .as("%s: %s vs %s", c.getSimpleName(), a, b)
                        .isEqualTo(sameTree);
                assertThat(b.equals(a)).isEqualTo(sameTree);
                if (sameTree) {
                    equalPairs++;
                    assertThat(a.hashCode()).isEqualTo(b.hashCode());
                }
            }
        }
        assertThat(equalPairs).as("pairs that were equal").isGreaterThan(100);
    }

    private static Object copyOf(Object value, ObjectMapper json) {
        return json.convertValue(json.valueToTree(value), value.getClass());
    }

    /** Each field null, a sample value or a different one; few choices, so equal pairs occur. */
    private static Object randomInstance(Class<?> c, Random random, int depth)
            throws ReflectiveOperationException {
        Object value = c.getDeclaredConstructor().newInstance();
        for (Field field : fields(c)) {
            Class<?> element = elementType(field.getGenericType());
            boolean nested =
                    element.getPackageName().equals(MailRoute.class.getPackageName())
                            && !element.isEnum();
            int choice = random.nextInt(4);
            Object v;
            if (choice == 0) {
                v = null;
            } else if (nested && depth > 0) {
                Object inner = randomInstance(element, random, depth - 1);
                v = field.getType() == List.class ? List.of(inner) : inner;
            } else if (choice == 1) {
                v = field.get(value); // the constructor's default
            } else {
                v = choice == 2 ? sampleFor(field) : secondSample(field);
            }
            field.set(value, v);
        }
        return value;
    }

    /** A value of the field's type other than {@link #sampleFor}'s. */
    private static Object secondSample(Field field) throws ReflectiveOperationException {
        Class<?> type = elementType(field.getGenericType());
        Object second;
        if (type == String.class) {
            second = "y";
        } else if (type == Integer.class) {
            second = 8;
        } else if (type == Long.class) {
            second = 8L;
        } else if (type == Boolean.class) {
            second = Boolean.FALSE;
        } else if (type == io.fabric8.kubernetes.api.model.Condition.class) {
            second = new ConditionBuilder().withType("Ready").withStatus("False").build();
        } else {
            second = sample(type);
        }
        return field.getType() == List.class ? List.of(second, second) : second;
    }

    private static Object sampleFor(Field field) throws ReflectiveOperationException {
        return field.getType() == List.class
                ? List.of(sample(elementType(field.getGenericType())))
                : sample(field.getType());
    }
}
