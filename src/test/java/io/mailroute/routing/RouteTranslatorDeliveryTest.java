package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroute.api.v1alpha1.DeliverySettings;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.TlsPolicy;
import io.mailroute.api.v1alpha1.ValidationPolicy;
import io.mailroute.postfix.TransportRule;
import io.mailroute.postfix.TransportSettings;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import org.junit.jupiter.api.Test;

/**
 * spec.delivery reaches the rules as validated transport settings; what the CRD schema cannot check
 * everywhere (its CEL rule needs Kubernetes 1.25+, ranges can be bypassed by objects stored before
 * the schema) is refused with reason InvalidDelivery and the field in the message, before anything
 * is rendered.
 */
class RouteTranslatorDeliveryTest {
    final RouteTranslator translator = new RouteTranslator(new RenderPolicy(3));

    private static MailRoute route(DeliverySettings delivery, TlsPolicy tls) {
        MailRoute route =
                Resources.pinnedRoute("mail", "r", "relay", "smtp.example.net", "example.com");
        route.getSpec().validation = ValidationPolicy.Off;
        route.getSpec().tls = tls;
        route.getSpec().delivery = delivery;
        return route;
    }

    private static DeliverySettings delivery(
            Integer concurrency, Integer rateDelay, Integer recipients, Boolean implicitTls) {
        DeliverySettings d = new DeliverySettings();
        d.concurrency = concurrency;
        d.rateDelaySeconds = rateDelay;
        d.recipientLimit = recipients;
        d.implicitTls = implicitTls;
        return d;
    }

    @Test
    void settingsReachTheRules() throws Exception {
        TranslatedRoute t =
                translator.translate(
                        route(delivery(2, 5, 10, true), TlsPolicy.ENCRYPT),
                        RelayPlannerTest.NO_INPUTS);

        assertThat(t.rules())
                .singleElement()
                .extracting(TransportRule::sending)
                .isEqualTo(new TransportSettings(2, 5, 10, true));
        assertThat(
                        translator
                                .translate(route(null, TlsPolicy.MAY), RelayPlannerTest.NO_INPUTS)
                                .rules())
                .singleElement()
                .satisfies(rule -> assertThat(rule.transport()).isEqualTo("smtp"));
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheField() {
        assertThatThrownBy(
                        () ->
                                translator.translate(
                                        route(delivery(0, null, null, null), TlsPolicy.MAY),
                                        RelayPlannerTest.NO_INPUTS))
                .isInstanceOfSatisfying(
                        RouteRejectedException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("InvalidDelivery");
                            assertThat(e.getMessage())
                                    .startsWith(
                                            "spec.delivery.concurrency: must be between 1 and 100");
                        });
    }

    @Test
    void implicitTlsNeedsMandatoryTlsAndExplicitNextHops() {
        assertThatThrownBy(
                        () ->
                                translator.translate(
                                        route(delivery(null, null, null, true), TlsPolicy.MAY),
                                        RelayPlannerTest.NO_INPUTS))
                .isInstanceOfSatisfying(
                        RouteRejectedException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("InvalidDelivery");
                            assertThat(e.getMessage())
                                    .isEqualTo(
                                            "spec.delivery.implicitTls: needs TLS policy encrypt, verify or secure, not may");
                        });
        MailRoute mx = route(delivery(null, null, null, true), TlsPolicy.ENCRYPT);
        mx.getSpec().target = new RouteTarget();
        mx.getSpec().target.mx = new MxTarget();
        mx.getSpec().validation = ValidationPolicy.Off;
        assertThatThrownBy(() -> translator.translate(mx, RelayPlannerTest.NO_INPUTS))
                .isInstanceOfSatisfying(
                        RouteRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo("InvalidDelivery"));
    }
}
