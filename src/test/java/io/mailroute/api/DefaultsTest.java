package io.mailroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.TlsPolicy;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.routing.TlsLevels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The two spellings of the default TLS policy agree, and every API TLS policy maps to the
 * renderer's level.
 */
class DefaultsTest {

    @Test
    void theTlsDefaultIsWrittenAsItsConstant() {
        assertThat(new KubernetesSerialization().asJson(Defaults.TLS))
                .isEqualTo("\"" + Defaults.TLS_VALUE + "\"");
        assertThat(new MailRouteSpec().tls).isEqualTo(Defaults.TLS);
        assertThat(new MailRelaySpec().replicas).isEqualTo(Defaults.REPLICAS);
    }

    @Test
    void everyTlsPolicyMapsToTheLevelOfTheSameName() {
        assertThat(Arrays.stream(TlsPolicy.values()).map(p -> TlsLevels.of(p).name()))
                .containsExactly(
                        Arrays.stream(TlsPolicy.values()).map(Enum::name).toArray(String[]::new));
        assertThat(TlsLevels.of(null)).isEqualTo(TlsLevel.MAY);
    }
}
