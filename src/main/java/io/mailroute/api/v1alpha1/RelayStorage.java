package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** The persistent volume that holds the relay's mail queue. */
public class RelayStorage {
    @Pattern(ApiPatterns.QUANTITY)
    @Default("1Gi")
    @JsonPropertyDescription("Size of each replica's queue volume.")
    public String size = "1Gi";

    @Pattern(ApiPatterns.OBJECT_NAME)
    @JsonPropertyDescription("StorageClass of the queue volume; the cluster default when empty.")
    public String storageClassName;
}
