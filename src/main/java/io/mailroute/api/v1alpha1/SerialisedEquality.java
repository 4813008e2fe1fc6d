package io.mailroute.api.v1alpha1;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Base of the status classes: two objects are equal when they serialise to the same JSON, the form
 * in which a status is patched. The reconcilers patch a status only when the new one differs from
 * the stored one, so a field added to a status class is compared (and written) without touching any
 * equals or hashCode.
 *
 * <p>The status classes serialise their public instance fields and nothing else (no getters, no
 * {@code @JsonIgnore}; {@code StatusEqualityTest} checks this against Jackson's own list of
 * properties), so comparing those fields with {@link Objects#equals} gives the same answer as
 * comparing the JSON trees: a null field is left out of the JSON and equal only to null, lists
 * compare element by element, nested status objects by these same rules. It is done field by field
 * because building two trees per comparison cost more than half of a relay's planning at 10,000
 * routes (resolutions are compared for every route on every plan; bench/scale.sh, JFR).
 */
public abstract class SerialisedEquality {

    /** Per status class, the fields that make up its JSON, found once. */
    private static final ClassValue<Field[]> PROPERTIES =
            new ClassValue<>() {
                @Override
                protected Field[] computeValue(Class<?> type) {
                    List<Field> fields = new ArrayList<>();
                    for (Class<?> c = type; c != SerialisedEquality.class; c = c.getSuperclass()) {
                        for (Field field : c.getDeclaredFields()) {
                            int modifiers = field.getModifiers();
                            if (Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers)) {
                                fields.add(field);
                            }
                        }
                    }
                    return fields.toArray(Field[]::new);
                }
            };

    /** The public instance fields compared by {@link #equals}: the properties Jackson writes. */
    public static List<String> comparedProperties(Class<? extends SerialisedEquality> type) {
        List<String> names = new ArrayList<>();
        for (Field field : PROPERTIES.get(type)) {
            names.add(field.getName());
        }
        return names;
    }

    @Override
    public final boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        for (Field field : PROPERTIES.get(getClass())) {
            if (!Objects.equals(value(field, this), value(field, o))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public final int hashCode() {
        int hash = getClass().hashCode();
        for (Field field : PROPERTIES.get(getClass())) {
            hash = 31 * hash + Objects.hashCode(value(field, this));
        }
        return hash;
    }

    private static Object value(Field field, Object of) {
        try {
            return field.get(of);
        } catch (IllegalAccessException e) {
            // public fields of public classes: not reachable
            throw new IllegalStateException(e);
        }
    }
}
