package io.mailroute.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.mailroute.testing.RealComponents;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code mvn test} runs the unit tier alone, in seconds: a test class that uses a real component
 * (the API server, an operator started by Quarkus, knot, Postfix, containerd, the cluster, Helm,
 * another process) must be marked {@link RealComponents}, so that it runs in the integration tier
 * ({@code mvn verify}) instead.
 */
class TestTiersTest {
    /** Classes (by name prefix) whose use makes a test an integration test. */
    private static final List<String> REAL =
            List.of(
                    "io.mailroute.testing.ControlPlane",
                    "io.mailroute.testing.KnotResource",
                    "io.mailroute.testing.TestNamespace",
                    "io.mailroute.dns.fixtures.KnotServer",
                    "io.mailroute.relay.fixtures.",
                    "io.mailroute.image.",
                    "io.mailroute.cluster.",
                    "com.marcnuri.helm.",
                    "io.quarkus.test.",
                    "java.lang.ProcessBuilder");

    @Test
    void testsOnRealComponentsAreInTheIntegrationTier() {
        JavaClasses tests =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                        .importPackages("io.mailroute");
        Set<String> unmarked = new TreeSet<>();
        int unit = 0;
        for (JavaClass test : tests) {
            if (!test.getSimpleName().endsWith("Test") || test.isNestedClass()) {
                continue;
            }
            boolean marked = test.isAnnotatedWith(RealComponents.class);
            if (!marked) {
                unit++;
            }
            String real = realComponentUsed(tests, test);
            if (real != null && !marked) {
                unmarked.add(test.getName() + " uses " + real);
            }
        }
        assertThat(unmarked).as("add @RealComponents to these tests").isEmpty();
        assertThat(unit).as("unit tests found").isGreaterThan(30);
    }

    /**
     * The first real component the test class or one of its nested/anonymous classes uses, or null.
     */
    private static String realComponentUsed(JavaClasses all, JavaClass test) {
        for (JavaClass c : all) {
            if (!c.getName().equals(test.getName())
                    && !c.getName().startsWith(test.getName() + "$")) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getName();
                if (REAL.stream().anyMatch(target::startsWith)) {
                    return target;
                }
            }
        }
        return null;
    }

    /**
     * pom.xml keeps every @QuarkusTest class out of the unit tier's discovery by name (see the
     * comment there).
     */
    @Test
    void everyQuarkusTestIsExcludedFromTheUnitTierByName() throws java.io.IOException {
        JavaClasses tests =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                        .importPackages("io.mailroute");
        String pom = java.nio.file.Files.readString(java.nio.file.Path.of("pom.xml"));
        Set<String> missing = new TreeSet<>();
        for (JavaClass test : tests) {
            if (test.isAnnotatedWith("io.quarkus.test.junit.QuarkusTest")
                    && !pom.contains("<exclude>**/" + test.getSimpleName() + ".java</exclude>")) {
                missing.add(test.getSimpleName());
            }
        }
        assertThat(missing).as("add these to the default-test excludes in pom.xml").isEmpty();
    }
}
