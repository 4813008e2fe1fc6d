package io.mailroute.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    static final Clock T1 = Clock.fixed(Instant.parse("2026-01-01T10:00:00.123Z"), ZoneOffset.UTC);
    static final Clock T2 = Clock.fixed(Instant.parse("2026-01-01T11:00:00Z"), ZoneOffset.UTC);

    @Test
    void newConditionGetsTheCurrentTimeAndGeneration() {
        List<Condition> list =
                new Conditions(null, 3, T1).setTrue("Ready", "Ready", "all good").build();
        assertThat(list)
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getType()).isEqualTo("Ready");
                            assertThat(c.getStatus()).isEqualTo("True");
                            assertThat(c.getObservedGeneration()).isEqualTo(3L);
                            assertThat(c.getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
                        });
    }

    @Test
    void unchangedConditionKeepsItsTransitionTimeAndIsEqual() {
        List<Condition> first = new Conditions(null, 1, T1).setTrue("Ready", "Ready", "ok").build();
        List<Condition> second =
                new Conditions(first, 1, T2).setTrue("Ready", "Ready", "ok").build();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void changedStatusOrMessageMovesTheTransitionTime() {
        List<Condition> first = new Conditions(null, 1, T1).setTrue("Ready", "Ready", "ok").build();
        assertThat(
                        new Conditions(first, 1, T2)
                                .setFalse("Ready", "RelayNotReady", "no")
                                .build()
                                .get(0)
                                .getLastTransitionTime())
                .isEqualTo("2026-01-01T11:00:00Z");
        assertThat(
                        new Conditions(first, 1, T2)
                                .setTrue("Ready", "Ready", "other")
                                .build()
                                .get(0)
                                .getLastTransitionTime())
                .isEqualTo("2026-01-01T11:00:00Z");
    }

    @Test
    void conditionsAreSortedByTypeAndSettingTwiceReplaces() {
        Conditions c =
                new Conditions(null, 1, T1)
                        .setTrue("Ready", "Ready", "x")
                        .setFalse("Accepted", "NotAllowedByRelay", "y")
                        .setTrue("Accepted", "Accepted", "z");
        assertThat(c.build()).extracting(Condition::getType).containsExactly("Accepted", "Ready");
        assertThat(c.isTrue("Accepted")).isTrue();
        assertThat(c.isTrue("Missing")).isFalse();
    }

    @Test
    void reasonMustBeCamelCase() {
        assertThatThrownBy(() -> new Conditions(null, 1, T1).setTrue("Ready", "not camel", "m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CamelCase");
    }

    @Test
    void reasonsAndTypesMustBeDeclaredInStatusNames() {
        assertThat(Conditions.class.desiredAssertionStatus()).as("surefire runs with -ea").isTrue();
        assertThatThrownBy(() -> new Conditions(null, 1, T1).setTrue("Ready", "AllFine", "m"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("StatusNames.Reason: AllFine");
        assertThatThrownBy(() -> new Conditions(null, 1, T1).setTrue("Delivered", "Ready", "m"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("StatusNames.ConditionType: Delivered");
    }
}
