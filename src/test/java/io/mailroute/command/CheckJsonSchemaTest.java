package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.testing.RealComponents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mailroute check --output json} is an API (docs/cli.md): these field names, in this order,
 * at every level. A new or renamed field in the engine's records shows up here and must be
 * documented before it ships.
 */
@RealComponents
class CheckJsonSchemaTest {
    static final List<String> DOCUMENT = List.of("exitCode", "reports");
    static final List<String> REPORT =
            List.of(
                    "domain",
                    "classification",
                    "verdict",
                    "mxSet",
                    "hosts",
                    "warnings",
                    "errors",
                    "disagreement",
                    "disagreements",
                    "resolvers",
                    "minTtlSeconds",
                    "checkedAt");
    static final List<String> MX_SET = List.of("groups");
    static final List<String> HOST =
            List.of(
                    "host",
                    "preference",
                    "implicit",
                    "status",
                    "addressCount",
                    "addresses",
                    "tcpNeeded",
                    "cnameChain",
                    "warnings",
                    "errors");
    static final List<String> RESOLVER =
            List.of(
                    "server",
                    "classification",
                    "mxSet",
                    "hosts",
                    "warnings",
                    "errors",
                    "minTtlSeconds",
                    "queries");
    static final List<String> QUERY =
            List.of(
                    "server",
                    "name",
                    "type",
                    "rcode",
                    "transport",
                    "truncatedRetriedOverTcp",
                    "ednsFallback",
                    "cached",
                    "latencyMillis",
                    "answerCount",
                    "responseBytes",
                    "error",
                    "udpShortened");

    static KnotServer knot;

    @BeforeAll
    static void startKnot() throws Exception {
        knot = KnotServer.start();
    }

    @AfterAll
    static void stopKnot() throws Exception {
        knot.close();
    }

    @Test
    void everyLevelHasExactlyTheDocumentedFields() throws Exception {
        JsonNode doc = json("big100.mx.test", "nodata.mx.test");

        assertThat(fields(doc)).containsExactlyElementsOf(DOCUMENT);
        assertThat(doc.get("reports")).hasSize(2);
        for (JsonNode report : doc.get("reports")) {
            assertThat(fields(report)).containsExactlyElementsOf(REPORT);
            assertThat(fields(report.get("mxSet"))).containsExactlyElementsOf(MX_SET);
            assertThat(report.get("hosts"))
                    .isNotEmpty()
                    .allSatisfy(h -> assertThat(fields(h)).containsExactlyElementsOf(HOST));
            assertThat(report.get("resolvers"))
                    .hasSize(1)
                    .allSatisfy(
                            r -> {
                                assertThat(fields(r)).containsExactlyElementsOf(RESOLVER);
                                assertThat(fields(r.get("mxSet")))
                                        .containsExactlyElementsOf(MX_SET);
                                assertThat(r.get("hosts"))
                                        .allSatisfy(
                                                h ->
                                                        assertThat(fields(h))
                                                                .containsExactlyElementsOf(HOST));
                                assertThat(r.get("queries"))
                                        .isNotEmpty()
                                        .allSatisfy(
                                                q ->
                                                        assertThat(fields(q))
                                                                .containsExactlyElementsOf(QUERY));
                            });
        }
    }

    @Test
    void valuesHaveTheDocumentedTypes() throws Exception {
        JsonNode report = json("equal.mx.test").get("reports").get(0);

        assertThat(report.get("domain").asText()).isEqualTo("equal.mx.test");
        assertThat(report.get("classification").asText()).isEqualTo("OK");
        assertThat(report.get("verdict").asText()).isEqualTo("PASS");
        assertThat(report.get("mxSet").get("groups").toString())
                .isEqualTo(
                        "{\"10\":[\"mx-a.mx.test\",\"mx-b.mx.test\"],\"20\":[\"mx-c.mx.test\"]}");
        assertThat(report.get("disagreement").isBoolean()).isTrue();
        assertThat(report.get("minTtlSeconds").isIntegralNumber()).isTrue();
        assertThat(Instant.parse(report.get("checkedAt").asText()))
                .isBeforeOrEqualTo(Instant.now());
        JsonNode host = report.get("hosts").get(0);
        assertThat(host.get("preference").isInt()).isTrue();
        assertThat(host.get("implicit").isBoolean()).isTrue();
        assertThat(host.get("addresses").toString()).isEqualTo("[\"192.0.2.31\"]");
        JsonNode query = report.get("resolvers").get(0).get("queries").get(0);
        assertThat(query.get("server").asText()).isEqualTo(knot.address());
        assertThat(query.get("rcode").asText()).isEqualTo("NOERROR");
        assertThat(query.get("error").isNull()).isTrue();
    }

    @Test
    void seedDomainUsesOnlyItsMxHostsAddressesFromOneUdpAnswerOver512Bytes() throws Exception {
        JsonNode report = json("seed56.mx.test").get("reports").get(0);

        JsonNode host = report.get("hosts").get(0);
        assertThat(report.get("hosts")).hasSize(1);
        assertThat(host.get("host").asText())
                .isEqualTo("outlook-com.olc.protection.seed56.mx.test");
        assertThat(host.get("addressCount").asInt()).isEqualTo(56);
        assertThat(texts(host.get("addresses")))
                .hasSize(56)
                .allMatch(a -> a.startsWith("198.18.0."))
                .doesNotContain("192.0.2.99");
        assertThat(host.get("tcpNeeded").asBoolean()).isFalse();
        JsonNode aQuery = query(report, "outlook-com.olc.protection.seed56.mx.test", "A");
        assertThat(aQuery.get("transport").asText()).isEqualTo("UDP");
        assertThat(aQuery.get("responseBytes").asInt()).isBetween(513, 1232);
    }

    @Test
    void truncatedAnswerIsFetchedOverTcpAndSaysSo() throws Exception {
        JsonNode report = json("big100.mx.test").get("reports").get(0);

        JsonNode host = report.get("hosts").get(0);
        assertThat(host.get("tcpNeeded").asBoolean()).isTrue();
        assertThat(host.get("addresses")).hasSize(100);
        JsonNode aQuery = query(report, "mx.big100.mx.test", "A");
        assertThat(aQuery.get("transport").asText()).isEqualTo("TCP");
        assertThat(aQuery.get("truncatedRetriedOverTcp").asBoolean()).isTrue();
        assertThat(aQuery.get("answerCount").asInt()).isEqualTo(100);
    }

    @Test
    void nullMxReportHasNoHostsAndAnError() throws Exception {
        JsonNode doc = json("nullmx.mx.test");

        JsonNode report = doc.get("reports").get(0);
        assertThat(doc.get("exitCode").asInt()).isEqualTo(2);
        assertThat(report.get("classification").asText()).isEqualTo("NULL_MX");
        assertThat(report.get("verdict").asText()).isEqualTo("FAIL");
        assertThat(report.get("hosts")).isEmpty();
        assertThat(texts(report.get("errors")))
                .containsExactly("domain accepts no mail (null MX, RFC 7505)");
    }

    /** Runs the check; stdout must be exactly one JSON document and stderr empty. */
    private static JsonNode json(String... domains) throws Exception {
        List<String> args = new ArrayList<>(List.of("--output", "json"));
        args.addAll(List.of(domains));
        Cli.Run run = Cli.check(List.of(knot.address()), args.toArray(String[]::new));
        assertThat(run.err()).as(run.all()).isEmpty();
        JsonNode doc =
                new ObjectMapper()
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .readTree(run.out());
        assertThat(doc.get("exitCode").asInt()).isEqualTo(run.exit());
        return doc;
    }

    private static JsonNode query(JsonNode report, String name, String type) {
        for (JsonNode q : report.get("resolvers").get(0).get("queries")) {
            if (q.get("name").asText().equals(name) && q.get("type").asText().equals(type)) {
                return q;
            }
        }
        throw new AssertionError("no " + type + " query for " + name + " in " + report);
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
