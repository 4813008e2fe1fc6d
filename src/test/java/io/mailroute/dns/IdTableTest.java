package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdTableTest {

    @Test
    void collidingIdsStayReachableAfterRemovals() {
        // capacity 4: 8 slots, so IDs equal modulo 8 share a home slot and wrap around the end
        UdpTransport.IdTable<String> table = new UdpTransport.IdTable<>(4);
        table.put(7, "a"); // home 7
        table.put(15, "b"); // home 7, wraps to 0
        table.put(23, "c"); // home 7, slot 1
        table.put(0, "d"); // home 0, slot 2

        assertThat(table.size()).isEqualTo(4);
        assertThat(table.remove(7, "a")).isTrue();
        assertThat(table.get(7)).isNull();
        assertThat(table.get(15)).isEqualTo("b");
        assertThat(table.get(23)).isEqualTo("c");
        assertThat(table.get(0)).isEqualTo("d");
        assertThat(table.remove(0, "other")).as("only the same value").isFalse();
        assertThat(table.remove(0, "d")).isTrue();
        assertThat(table.get(15)).isEqualTo("b");
        assertThat(table.get(23)).isEqualTo("c");
        assertThat(table.remove(99, "x")).isFalse();
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void behavesLikeAMapUnderRandomUse() {
        Random random = new Random(42);
        UdpTransport.IdTable<Integer> table = new UdpTransport.IdTable<>(32);
        Map<Integer, Integer> expected = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            int id = random.nextInt(1 << 16) & ~0x3c0; // fewer distinct homes: more collisions
            if (expected.size() < 32 && !expected.containsKey(id) && random.nextBoolean()) {
                Integer value = step;
                table.put(id, value);
                expected.put(id, value);
            } else if (!expected.isEmpty() && random.nextInt(3) == 0) {
                Integer key = expected.keySet().iterator().next();
                assertThat(table.remove(key, expected.remove(key))).isTrue();
            }
            assertThat(table.containsKey(id)).isEqualTo(expected.containsKey(id));
            assertThat(table.get(id)).isEqualTo(expected.get(id));
            assertThat(table.size()).isEqualTo(expected.size());
        }
        for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
            assertThat(table.get(e.getKey())).isSameAs(e.getValue());
        }
        List<Integer> all = new ArrayList<>();
        table.addTo(all);
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected.values());
        int occupied = 0;
        for (int i = 0; i < table.slots(); i++) {
            occupied += table.at(i) != null ? 1 : 0;
        }
        assertThat(occupied).isEqualTo(expected.size());
    }

    @Test
    void refusesToFillEverySlot() {
        UdpTransport.IdTable<String> table = new UdpTransport.IdTable<>(1); // 4 slots
        table.put(1, "a");
        table.put(2, "b");
        table.put(3, "c");
        assertThatThrownBy(() -> table.put(4, "d")).isInstanceOf(IllegalStateException.class);
        assertThat(table.isEmpty()).isFalse();
    }
}
