package io.mailroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed {@code crds/} must equal what the API classes generate. Run {@code
 * hack/update-crds.sh} (this test with -Dmailroute.updateCrds=true) after changing the API.
 */
class CrdFilesTest {
    static final Path COMMITTED = Path.of("crds");
    static final List<String> FILES =
            List.of("mailrelays.mailroute.io-v1.yml", "mailroutes.mailroute.io-v1.yml");

    @Test
    void committedCrdsMatchTheApiClasses(@TempDir Path generated) throws IOException {
        new CRDGenerator()
                .inOutputDir(generated.toFile())
                .forCRDVersions("v1")
                .customResourceClasses(MailRelay.class, MailRoute.class)
                .generate();
        try (Stream<Path> files = Files.list(generated)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactlyElementsOf(FILES);
        }
        if (Boolean.getBoolean("mailroute.updateCrds")) {
            Files.createDirectories(COMMITTED);
            for (String file : FILES) {
                Files.copy(
                        generated.resolve(file),
                        COMMITTED.resolve(file),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String file : FILES) {
            assertThat(COMMITTED.resolve(file))
                    .as(
                            "crds/%s is out of date: run hack/update-crds.sh and commit the result",
                            file)
                    .exists()
                    .hasSameTextualContentAs(generated.resolve(file));
        }
    }
}
