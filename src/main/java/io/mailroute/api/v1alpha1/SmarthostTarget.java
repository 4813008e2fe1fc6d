package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A smarthost (upstream relay) that accepts the route's mail, optionally with SASL authentication.
 */
public class SmarthostTarget {
    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiPatterns.HOST)
    @JsonPropertyDescription("Host name or IP address of the smarthost, e.g. smtp.example.net.")
    public String host;

    @Min(1)
    @Max(65535)
    @Default("" + Defaults.SUBMISSION_PORT)
    @JsonPropertyDescription("TCP port of the smarthost (587 submission by default).")
    public Integer port = Defaults.SUBMISSION_PORT;

    @JsonPropertyDescription(
            "Secret with SASL credentials for the smarthost (labelled mailroute.io/credentials: "
                    + "\"true\"; needs TLS encrypt, verify or secure). Its values go only into the relay's Secret, never into "
                    + "ConfigMaps, status, events or logs.")
    public SecretKeys authSecretRef;

    public SmarthostTarget() {}

    public SmarthostTarget(String host, int port) {
        this.host = host;
        this.port = port;
    }
}
