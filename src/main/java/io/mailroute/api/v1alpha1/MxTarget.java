package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Follow the recipient domain's live MX set. */
public class MxTarget {
    @Min(1)
    @Max(65535)
    @Default("" + Defaults.SMTP_PORT)
    @JsonPropertyDescription("TCP port used on the MX hosts.")
    public Integer port = Defaults.SMTP_PORT;
}
