package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** The persistent volume that holds the relay's mail queue. */
public class RelayStorage {
    @Pattern(ApiPatterns.QUANTITY)
    @Default(Defaults.QUEUE_SIZE)
    @JsonPropertyDescription("Size of each replica's queue volume.")
    public String size = Defaults.QUEUE_SIZE;

    @Pattern(ApiPatterns.OBJECT_NAME)
    @JsonPropertyDescription("StorageClass of the queue volume; the cluster default when empty.")
    public String storageClassName;
}
