package io.mailroute.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.mailroute.postfix.SafeText;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Builds a resource's condition list. A condition keeps its {@code lastTransitionTime} unless its
 * status, reason or message change, so writing the same state twice produces an identical status
 * (and no patch).
 */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private final List<Condition> previous;
    private final List<Condition> next = new ArrayList<>();
    private final long generation;
    private final Clock clock;

    public Conditions(List<Condition> previous, long generation, Clock clock) {
        this.previous = previous == null ? List.of() : previous;
        this.generation = generation;
        this.clock = clock;
    }

    /** Sets condition {@code type}; reason must be CamelCase. */
    public Conditions set(String type, String status, String reason, String rawMessage) {
        if (!reason.matches("^[A-Z][A-Za-z0-9]*$")) {
            throw new IllegalArgumentException("condition reason must be CamelCase: " + reason);
        }
        // Under test (assertions on): every type and reason written is one of StatusNames, so the
        // docs checked
        // against StatusNames cover it. Off in production: a reason left in a status by an older
        // version is kept.
        assert StatusNames.Reason.ALL.contains(reason)
                : "reason not declared in StatusNames.Reason: " + reason;
        assert StatusNames.ConditionType.ROUTE.contains(type)
                        || StatusNames.ConditionType.RELAY.contains(type)
                : "condition type not declared in StatusNames.ConditionType: " + type;
        // Messages quote user input; whatever the source, a status line must read as it is (no bidi
        // overrides,
        // no U+2028 line breaks): escaped here once for every condition.
        String message = SafeText.oneLine(rawMessage);
        next.removeIf(c -> c.getType().equals(type));
        String transition =
                find(previous, type)
                        .filter(
                                old ->
                                        old.getStatus().equals(status)
                                                && old.getReason().equals(reason)
                                                && old.getMessage().equals(message))
                        .map(Condition::getLastTransitionTime)
                        .orElseGet(
                                () ->
                                        Instant.now(clock)
                                                .truncatedTo(ChronoUnit.SECONDS)
                                                .toString());
        next.add(
                new ConditionBuilder()
                        .withType(type)
                        .withStatus(status)
                        .withReason(reason)
                        .withMessage(message)
                        .withObservedGeneration(generation)
                        .withLastTransitionTime(transition)
                        .build());
        return this;
    }

    public Conditions setTrue(String type, String reason, String message) {
        return set(type, TRUE, reason, message);
    }

    public Conditions setFalse(String type, String reason, String message) {
        return set(type, FALSE, reason, message);
    }

    /** The condition set so far in this builder. */
    public Optional<Condition> get(String type) {
        return find(next, type);
    }

    public boolean isTrue(String type) {
        return get(type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
    }

    /** The conditions, sorted by type so the list is stable. */
    public List<Condition> build() {
        List<Condition> result = new ArrayList<>(next);
        result.sort(Comparator.comparing(Condition::getType));
        return result;
    }

    private static Optional<Condition> find(List<Condition> list, String type) {
        return list.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
