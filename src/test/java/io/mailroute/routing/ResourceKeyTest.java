package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResourceKeyTest {

    /**
     * compareTo gives what comparing the {@code namespace/name} texts gives (the order planning's
     * outcomes and status have always had), including where that is not namespace-then-name order.
     */
    @Test
    void comparesAsItsText() {
        String[] parts = {"a", "a-b", "a.b", "ab", "a/b", "b", "", "mail", "mail-2", "z9", null};
        List<ResourceKey> keys = new ArrayList<>();
        for (String namespace : parts) {
            for (String name : parts) {
                keys.add(new ResourceKey(namespace, name));
            }
        }
        Random random = new Random(9);
        for (int i = 0; i < 500; i++) {
            keys.add(new ResourceKey(randomName(random), randomName(random)));
        }
        for (ResourceKey a : keys) {
            for (ResourceKey b : keys) {
                assertThat(a.compareTo(b))
                        .as("%s vs %s", a, b)
                        .isEqualTo(a.toString().compareTo(b.toString()));
            }
        }
    }

    /**
     * equals and hashCode are written out (C1 does not inline a record's); they must stay those of
     * a record with the same components, hash included (hash maps of keys keep their order).
     */
    @Test
    void equalsAndHashAsTheRecordsOwn() {
        record Same(String namespace, String name) {}

        String[] parts = {"a", "b", "", "mail", null};
        for (String namespace : parts) {
            for (String name : parts) {
                ResourceKey key = new ResourceKey(namespace, name);
                assertThat(key.hashCode()).isEqualTo(new Same(namespace, name).hashCode());
                for (String otherNamespace : parts) {
                    for (String otherName : parts) {
                        assertThat(key.equals(new ResourceKey(otherNamespace, otherName)))
                                .isEqualTo(
                                        new Same(namespace, name)
                                                .equals(new Same(otherNamespace, otherName)));
                    }
                }
                assertThat(key.equals(null)).isFalse();
                assertThat(key.equals(new Same(namespace, name))).isFalse();
            }
        }
    }

    @Test
    void aShorterNamespaceSortsByItsSlash() {
        // "a-b/x" < "a/x" because '-' < '/', and "a/x" < "a0/x" because '/' < '0'
        assertThat(new ResourceKey("a-b", "x")).isLessThan(new ResourceKey("a", "x"));
        assertThat(new ResourceKey("a", "x")).isLessThan(new ResourceKey("a0", "x"));
    }

    private static String randomName(Random random) {
        String alphabet = "ab-.0/";
        StringBuilder name = new StringBuilder();
        for (int n = random.nextInt(5); n > 0; n--) {
            name.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return name.toString();
    }
}
