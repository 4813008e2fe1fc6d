package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

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
}
