package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.MutableClock;
import io.mailroute.dns.fixtures.StaticZone;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reports serialize with a plain ObjectMapper into the shape the CLI prints. */
class ReportJsonTest {

    private static final StaticZone ZONE =
            StaticZone.parse(
                    "json.test",
                    """
      @     SOA  ns hostmaster 1 3600 600 86400 60
      @     MX   20 mx2
      @     MX   10 mx1
      mx1   A    192.0.2.1
      mx2   A    192.0.2.2
      """);

    @Test
    void mxReportHasPlainFields() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(ZONE), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()), clock)) {
            JsonNode json = new ObjectMapper().valueToTree(service.check("json.test"));

            assertThat(fieldNames(json))
                    .containsExactlyInAnyOrder(
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
            assertThat(json.get("classification").asText()).isEqualTo("OK");
            assertThat(json.get("checkedAt").asText()).isEqualTo("2030-01-01T00:00:00Z");
            assertThat(json.get("mxSet").toString())
                    .isEqualTo(
                            "{\"groups\":{\"10\":[\"mx1.json.test\"],\"20\":[\"mx2.json.test\"]}}");
            assertThat(json.get("hosts").get(0).get("addresses").toString())
                    .isEqualTo("[\"192.0.2.1\"]");
            assertThat(json.get("resolvers").get(0).get("queries").get(0).get("transport").asText())
                    .isEqualTo("UDP");
        }
    }

    @Test
    void hostReportHasPlainFields() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(ZONE), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            JsonNode json = new ObjectMapper().valueToTree(service.checkHost("mx1.json.test"));

            assertThat(fieldNames(json))
                    .containsExactlyInAnyOrder(
                            "host",
                            "status",
                            "addressCount",
                            "addresses",
                            "tcpNeeded",
                            "cnameChain",
                            "warnings",
                            "errors",
                            "disagreement",
                            "disagreements",
                            "resolvers",
                            "minTtlSeconds",
                            "checkedAt");
            assertThat(json.get("status").asText()).isEqualTo("RESOLVED");
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
