package io.mailroute.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.status.StatusNames.ConditionType;
import io.mailroute.status.StatusNames.DomainState;
import io.mailroute.status.StatusNames.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRD descriptions (crds/, generated from the API classes) and the docs (README's table of
 * reasons, and every {@code Type=Status} or "reason `X`" in README.md and docs/) name exactly the
 * condition types, reasons and domain states of {@link StatusNames}, which the code writes ({@link
 * Conditions} refuses any other under test).
 */
class StatusNamesDocsTest {
    private static final Pattern CAPITALISED =
            Pattern.compile("\\b[A-Z][a-z]+(?:[A-Z][a-z0-9]+)*\\b");
    private static final Pattern LISTED_CONDITION = Pattern.compile("\\b([A-Z][A-Za-z]+) \\(");
    private static final Pattern TYPE_EQUALS_STATUS =
            Pattern.compile("`(?:[A-Za-z]+ )?([A-Z][A-Za-z]+)=(?:True|False|Unknown)`");
    private static final Pattern REASON_NAMED = Pattern.compile("reasons? `([A-Z][A-Za-z0-9]+)`");
    private static final Pattern BACKTICKED = Pattern.compile("`([A-Z][A-Za-z0-9]+)`");

    private static JSONSchemaProps status(String crdFile) throws IOException {
        CustomResourceDefinition crd =
                new KubernetesSerialization()
                        .unmarshal(
                                Files.readString(Path.of("crds", crdFile)),
                                CustomResourceDefinition.class);
        return crd.getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("status");
    }

    private static Set<String> all(Pattern pattern, String text, int group) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(group));
        }
        return found;
    }

    @Test
    void crdDescribesExactlyTheDomainStatesTheCodeWrites() throws IOException {
        String description =
                status("mailroutes.mailroute.io-v1.yml")
                        .getProperties()
                        .get("domains")
                        .getItems()
                        .getSchema()
                        .getProperties()
                        .get("state")
                        .getDescription();
        assertThat(all(CAPITALISED, description, 0))
                .as("capitalised words of status.domains[].state: %s", description)
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(DomainState.values()).map(Enum::name).toList());
    }

    @Test
    void crdDescribesExactlyTheConditionTypesOfEachResource() throws IOException {
        String route =
                status("mailroutes.mailroute.io-v1.yml")
                        .getProperties()
                        .get("conditions")
                        .getDescription();
        assertThat(all(LISTED_CONDITION, route, 1))
                .as("MailRoute status.conditions: %s", route)
                .containsExactlyInAnyOrderElementsOf(ConditionType.ROUTE);
        String relay =
                status("mailrelays.mailroute.io-v1.yml")
                        .getProperties()
                        .get("conditions")
                        .getDescription();
        assertThat(all(LISTED_CONDITION, relay, 1))
                .as("MailRelay status.conditions: %s", relay)
                .containsExactlyInAnyOrderElementsOf(ConditionType.RELAY);
    }

    @Test
    void crdNamesOnlyDeclaredResolutionReasons() throws IOException {
        String description =
                status("mailroutes.mailroute.io-v1.yml")
                        .getProperties()
                        .get("resolutions")
                        .getItems()
                        .getSchema()
                        .getProperties()
                        .get("reason")
                        .getDescription();
        Set<String> named = all(CAPITALISED, description, 0);
        named.remove("CamelCase");
        assertThat(named).as(description).isNotEmpty().isSubsetOf(Reason.ALL);
    }

    /**
     * README "Conditions and troubleshooting": {@code | MailRoute `Accepted=False` |
     * `RelayNotFound` | ... |}.
     */
    record Row(String resource, String type, Set<String> reasons) {}

    static List<Row> reasonTable(String readme) {
        String section = readme.substring(readme.indexOf("## Conditions and troubleshooting"));
        section = section.substring(0, section.indexOf("\n## ", 3));
        List<Row> rows = new ArrayList<>();
        String resource = null;
        String type = null;
        Pattern head = Pattern.compile("(MailRoute|MailRelay) `([A-Za-z]+)=(True|False|Unknown)`");
        for (String line : section.split("\n")) {
            if (!line.startsWith("| ")
                    || line.startsWith("| resource")
                    || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.split("\\|");
            Matcher m = head.matcher(cells[1]);
            if (m.find()) {
                resource = m.group(1);
                type = m.group(2);
            }
            rows.add(new Row(resource, type, all(BACKTICKED, cells[2], 1)));
        }
        return rows;
    }

    @Test
    void readmeTableListsEveryConditionOfEachResourceAndEveryReason() throws IOException {
        List<Row> rows = reasonTable(Files.readString(Path.of("README.md")));
        assertThat(rows).as("the README table of reasons").hasSizeGreaterThan(10);
        assertThat(
                        rows.stream()
                                .filter(r -> r.resource().equals("MailRoute"))
                                .map(Row::type)
                                .distinct())
                .as("MailRoute conditions in the README table")
                .containsExactlyInAnyOrderElementsOf(ConditionType.ROUTE);
        assertThat(
                        rows.stream()
                                .filter(r -> r.resource().equals("MailRelay"))
                                .map(Row::type)
                                .distinct())
                .as("MailRelay conditions in the README table")
                .containsExactlyInAnyOrderElementsOf(ConditionType.RELAY);
        Set<String> documented =
                rows.stream().flatMap(r -> r.reasons().stream()).collect(Collectors.toSet());
        Set<String> conditionReasons = new TreeSet<>(Reason.ALL);
        conditionReasons.remove(Reason.MX_CHANGED); // an event, not a condition: checked below
        assertThat(documented)
                .as("reasons in the README table the code never writes")
                .isSubsetOf(Reason.ALL);
        assertThat(conditionReasons)
                .as("reasons the code writes that the README table lacks")
                .isSubsetOf(documented);
    }

    @Test
    void docsNameOnlyDeclaredConditionTypesAndReasons() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        Set<String> types = new LinkedHashSet<>();
        Set<String> reasons = new LinkedHashSet<>();
        for (Path doc : docs) {
            String text = Files.readString(doc);
            all(TYPE_EQUALS_STATUS, text, 1).forEach(t -> types.add(t + " (" + doc + ")"));
            all(REASON_NAMED, text, 1).forEach(r -> reasons.add(r + " (" + doc + ")"));
        }
        assertThat(types)
                .as("Type=Status in the docs")
                .isNotEmpty()
                .allSatisfy(
                        t ->
                                assertThat(ConditionType.ROUTE)
                                        .contains(t.substring(0, t.indexOf(' '))));
        assertThat(reasons)
                .as("reasons named in the docs")
                .isNotEmpty()
                .allSatisfy(r -> assertThat(Reason.ALL).contains(r.substring(0, r.indexOf(' '))));
        assertThat(Files.readString(Path.of("README.md")))
                .as("the MxChanged event is documented")
                .contains("`" + Reason.MX_CHANGED + "`");
    }
}
