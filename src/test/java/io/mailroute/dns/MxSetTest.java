package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MxSetTest {

    @Test
    void equalPreferenceHostsCompareAsSets() {
        MxSet one = MxSet.empty().with(10, "a.example").with(10, "b.example").with(20, "c.example");
        MxSet two =
                MxSet.empty().with(20, "c.example").with(10, "B.EXAMPLE.").with(10, "a.example");

        assertThat(one).isEqualTo(two);
        assertThat(one.hashCode()).isEqualTo(two.hashCode());
        assertThat(one.hostNames()).containsExactly("a.example", "b.example", "c.example");
    }

    @Test
    void preferenceMatters() {
        MxSet one = MxSet.empty().with(10, "a.example").with(20, "b.example");
        MxSet swapped = MxSet.empty().with(20, "a.example").with(10, "b.example");

        assertThat(one).isNotEqualTo(swapped);
    }

    @Test
    void hostLookupIgnoresCaseAndTrailingDot() {
        MxSet set = MxSet.empty().with(0, ".").with(10, "mx.example");

        assertThat(set.containsHost("MX.Example.")).isTrue();
        assertThat(set.containsHost(".")).isTrue();
        assertThat(set.containsHost("other.example")).isFalse();
        assertThat(set.toString()).isEqualTo("{0=[.], 10=[mx.example]}");
    }

    @Test
    void repeatedRecordsCountOnceAndOrderIsByPreferenceThenName() {
        MxSet set =
                MxSet.of(
                        new int[] {20, 10, 10, 5, 10, 20},
                        new String[] {
                            "z.example",
                            "b.example",
                            "A.example.",
                            "y.example",
                            "a.example",
                            "c.example"
                        },
                        6);

        assertThat(set.hostNames())
                .containsExactly("y.example", "a.example", "b.example", "c.example", "z.example");
        assertThat(set.toString())
                .isEqualTo("{5=[y.example], 10=[a.example, b.example], 20=[c.example, z.example]}");
        assertThat(set)
                .isEqualTo(
                        MxSet.empty()
                                .with(10, "b.example")
                                .with(20, "z.example")
                                .with(5, "y.example")
                                .with(20, "c.example")
                                .with(10, "a.example"));
    }

    @Test
    void onlyTheFirstCountPairsAreTaken() {
        MxSet set = MxSet.of(new int[] {10, 0}, new String[] {"mx.example", "ignored"}, 1);

        assertThat(set).isEqualTo(MxSet.empty().with(10, "mx.example"));
        assertThat(MxSet.of(new int[0], new String[0], 0)).isEqualTo(MxSet.empty());
    }

    @Test
    void groupsMapMatchesTheSetAndBuildsItBack() {
        SortedMap<Integer, SortedSet<String>> groups = new TreeMap<>();
        groups.put(20, new TreeSet<>(List.of("c.example")));
        groups.put(10, new TreeSet<>(List.of("B.example.", "a.example")));
        MxSet fromMap = new MxSet(groups);

        MxSet built =
                MxSet.empty().with(10, "a.example").with(10, "b.example").with(20, "c.example");
        assertThat(fromMap).isEqualTo(built);
        assertThat(fromMap.hashCode()).isEqualTo(built.hashCode());
        assertThat(built.groups())
                .containsExactly(
                        org.assertj.core.api.Assertions.entry(
                                10, new TreeSet<>(List.of("a.example", "b.example"))),
                        org.assertj.core.api.Assertions.entry(
                                20, new TreeSet<>(List.of("c.example"))));
        assertThat(new MxSet(built.groups())).isEqualTo(built);
        assertThat(MxSet.empty().groups()).isEmpty();
        assertThat(MxSet.empty().toString()).isEqualTo("{}");
    }

    @Test
    void withLeavesTheOriginalUnchanged() {
        MxSet one = MxSet.empty().with(10, "a.example");
        MxSet two = one.with(20, "b.example");

        assertThat(one.hostNames()).containsExactly("a.example");
        assertThat(two.hostNames()).containsExactly("a.example", "b.example");
        assertThat(one).isNotEqualTo(two);
        assertThat(one.with(10, "A.EXAMPLE.")).isEqualTo(one);
    }
}
