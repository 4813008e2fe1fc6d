package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelayStatus;
import io.mailroute.api.v1alpha1.RelayPodStatus;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the relay pods' reports become the MailRelay's Programmed condition, without an API server.
 */
class RelayStatusFactoryTest {

    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private final MailRelay relay = Resources.relay("mail", "relay");
    private final RelayPlan plan =
            new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new RenderPolicy(3)))
                    .plan(relay, List.of(), Resources.NO_INPUTS);

    /**
     * Hardening item 5: a pod that cannot install a valid configuration (full volume) says so in
     * the status.
     */
    @Test
    void podThatCouldNotInstallTheConfigurationMakesProgrammedFalseWithItsMessage() {
        String message =
                "configuration abc could not be installed: cannot copy transport.lmdb into /etc/postfix:"
                        + " No space left on device; live configuration: old";
        MailRelayStatus status =
                RelayStatusFactory.status(
                        relay,
                        plan,
                        plan.config().orElseThrow().hash(null),
                        null,
                        List.of(new RelayPodStatus("relay-0", true, "failed", "old", message)),
                        CLOCK);

        Condition programmed = condition(status, "Programmed");
        assertThat(programmed.getStatus()).isEqualTo("False");
        assertThat(programmed.getReason()).isEqualTo("ConfigInstallFailed");
        assertThat(programmed.getMessage())
                .endsWith("; pod relay-0 could not install it: " + message);
        assertThat(RelayStatusFactory.waitingForLiveConfig(status))
                .as("looked at again: the pod retries")
                .isTrue();
    }

    @Test
    void podRunningTheConfigurationMakesProgrammedTrue() {
        String hash = plan.config().orElseThrow().hash(null);
        MailRelayStatus status =
                RelayStatusFactory.status(
                        relay,
                        plan,
                        hash,
                        null,
                        List.of(new RelayPodStatus("relay-0", true, "running", hash, "")),
                        CLOCK);
        assertThat(condition(status, "Programmed").getReason()).isEqualTo("ConfigLive");
    }

    private static Condition condition(MailRelayStatus status, String type) {
        return status.conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }
}
