package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Names read from answers are shared through a table of recent names: the same name read again is
 * the same object, and names that fall into the same slot of the table are never taken for each
 * other.
 */
class DomainNameTest {

    @Test
    void theSameNameReadAgainIsTheSameObject() {
        DomainName first = DomainName.fromWire(wire("MX1.Example.test"), 0, 18);
        DomainName again = DomainName.fromWire(wire("mx1.example.TEST"), 0, 18);

        assertThat(again).isSameAs(first);
        assertThat(again.text()).isEqualTo("mx1.example.test");
    }

    @Test
    void namesSharingASlotKeepTheirOwnText() {
        // two different names whose hashes fall into the same slot of the table (found by search)
        Map<Integer, String> bySlot = new HashMap<>();
        String a = null;
        String b = null;
        for (int i = 0; a == null; i++) {
            String name = "h" + i + ".slot.test";
            int hash = Arrays.hashCode(wire(name));
            String other = bySlot.putIfAbsent(DomainName.slot(hash), name);
            if (other != null) {
                a = other;
                b = name;
            }
        }

        for (int round = 0; round < 3; round++) { // each replaces the other in the slot
            assertThat(DomainName.fromWire(wire(a), 0, wire(a).length).text()).isEqualTo(a);
            assertThat(DomainName.fromWire(wire(b), 0, wire(b).length).text()).isEqualTo(b);
        }
    }

    /** The uncompressed wire form of {@code text} (plain labels). */
    private static byte[] wire(String text) {
        return DnsNames.absolute(text).wire().clone();
    }
}
