package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Follow the recipient domain's live MX set. */
public class MxTarget {
    @Min(1)
    @Max(65535)
    @Default("25")
    @JsonPropertyDescription("TCP port used on the MX hosts.")
    public Integer port = 25;
}
