package io.mailroute.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the operator leaves a relay ConfigMap as it is, and when it writes it again. */
class ConfigMapContentTest {
    private final ConfigMap desired =
            configMap(
                    Map.of("transport", "a.example smtp:[mx.a.example]:25\n", "config-hash", "h1"),
                    Map.of("app.kubernetes.io/name", "mailroute-relay"));

    @Test
    void theSameDataAndOurLabelsMatchWhateverElseOthersAdded() {
        ConfigMap actual =
                configMap(
                        Map.of(
                                "transport",
                                "a.example smtp:[mx.a.example]:25\n",
                                "config-hash",
                                "h1"),
                        Map.of("app.kubernetes.io/name", "mailroute-relay", "team", "mail"));
        assertThat(ConfigMapContent.matches(actual, desired)).isTrue();
    }

    @Test
    void anyDifferenceInTheFilesIsWrittenAgain() {
        assertThat(
                        ConfigMapContent.matches(
                                configMap(
                                        Map.of(
                                                "transport",
                                                "a.example smtp:[mx.b.example]:25\n",
                                                "config-hash",
                                                "h1"),
                                        desired.getMetadata().getLabels()),
                                desired))
                .as("a hand edit of a file")
                .isFalse();
        assertThat(
                        ConfigMapContent.matches(
                                configMap(
                                        Map.of(
                                                "transport",
                                                "a.example smtp:[mx.a.example]:25\n",
                                                "config-hash",
                                                "h1",
                                                "transport.parts",
                                                "transport.part-001 1 0123\n"),
                                        desired.getMetadata().getLabels()),
                                desired))
                .as("a key left from another layout would be a stray file in the relay")
                .isFalse();
        assertThat(ConfigMapContent.matches(configMap(desired.getData(), Map.of()), desired))
                .as("our selector label removed")
                .isFalse();
    }

    private static ConfigMap configMap(Map<String, String> data, Map<String, String> labels) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName("relay-config")
                .withNamespace("mail")
                .withLabels(labels)
                .endMetadata()
                .withData(data)
                .build();
    }
}
