package io.mailroute.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/design.md, enforced: the pure packages ({@code postfix}, {@code dns})
 * know nothing of Kubernetes or of the rest of the operator; the model-level packages ({@code
 * routing}, {@code validation}, {@code status}, {@code api}) never use the operator framework,
 * Quarkus or CDI; imports point one way (no cycles).
 */
class LayeringTest {
    private static final String[] FRAMEWORK = {
        "io.javaoperatorsdk..",
        "io.quarkus..",
        "io.quarkiverse..",
        "jakarta.enterprise..",
        "jakarta.inject..",
        "io.smallrye.."
    };
    private static final String[] OPERATOR = {
        "io.mailroute.reconciler..",
        "io.mailroute.dependent..",
        "io.mailroute.command..",
        "io.mailroute.offline..",
        "io.mailroute.compat..",
        "io.mailroute"
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.mailroute");
    }

    @Test
    void postfixAndDnsArePureJava() {
        noClasses()
                .that()
                .resideInAnyPackage("io.mailroute.postfix..", "io.mailroute.dns..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.fabric8..",
                        "io.javaoperatorsdk..",
                        "io.quarkus..",
                        "jakarta..",
                        "io.mailroute.api..",
                        "io.mailroute.routing..",
                        "io.mailroute.validation..",
                        "io.mailroute.status..",
                        "io.mailroute.reconciler..",
                        "io.mailroute.dependent..",
                        "io.mailroute.command..",
                        "io.mailroute.offline..",
                        "io.mailroute.compat..",
                        "io.mailroute")
                .because(
                        "the renderer and the DNS engine are pure, reusable and tested without a cluster")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("io.mailroute.postfix..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.mailroute.dns..")
                .check(classes);
    }

    @Test
    void modelPackagesNeverUseTheOperatorFrameworkOrPointBackUp() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.mailroute.routing..",
                        "io.mailroute.validation..",
                        "io.mailroute.status..",
                        "io.mailroute.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FRAMEWORK)
                .because(
                        "planning, validation and status rules run the same in the operator, the CLI and unit tests")
                .check(classes);
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.mailroute.routing..",
                        "io.mailroute.validation..",
                        "io.mailroute.status..",
                        "io.mailroute.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(OPERATOR)
                .because("imports point down, from the operator to the model, never back up")
                .check(classes);
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.mailroute.routing..",
                        "io.mailroute.validation..",
                        "io.mailroute.status..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.fabric8.kubernetes.client..")
                .because(
                        "reads from the cluster go through RouteInputs, implemented in the reconciler")
                .check(classes);
    }

    @Test
    void packagesFormNoCycles() {
        slices().matching("io.mailroute.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void withinTheModelImportsPointDown() {
        noClasses()
                .that()
                .resideInAPackage("io.mailroute.status..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.mailroute.api..",
                        "io.mailroute.routing..",
                        "io.mailroute.validation..",
                        "io.mailroute.dns..")
                .because(
                        "status names and conditions are the bottom of the model: everything may use them")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("io.mailroute.validation..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.mailroute.routing..")
                .because(
                        "planning (routing) asks validation how to render a domain, never the other way round")
                .check(classes);
    }

    /**
     * docs/design.md, "Kubernetes 1.20 compatibility": the package is deleted in one commit with
     * its touch points.
     */
    @Test
    void onlyTheRelayReconcilerUsesTheKubernetes120Compatibility() {
        noClasses()
                .that()
                .resideOutsideOfPackages("io.mailroute.compat.k8s120..")
                .and()
                .doNotHaveFullyQualifiedName("io.mailroute.reconciler.MailRelayReconciler")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.mailroute.compat.k8s120..")
                .because("the Kubernetes 1.20 workarounds stay in one place")
                .check(classes);
    }
}
