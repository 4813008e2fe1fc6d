package io.mailroute.reconciler;

import io.mailroute.postfix.SafeText;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One relay pod's delivery summary: the body of {@code GET /delivery} on its status endpoint,
 * written by the relay's {@code delivery-summary.pl} from its own Postfix log and queue. Lines of
 * {@code key=value}; a {@code domain=} line per routed domain (and {@value #DEFAULT_BUCKET} for
 * everything else) with space-separated pairs, {@code reply=} last and running to the end of the
 * line. The body comes from the network, so every field is checked here: unknown keys are ignored,
 * numbers are bounded, texts are single lines of bounded length, and any e-mail address that a
 * relay (of another version, or broken) might still send is redacted again.
 *
 * @param windowSeconds the window the counts cover
 * @param domains per routed domain (or {@value #DEFAULT_BUCKET})
 * @param unavailable why the pod has no summary (its log goes to no file), or null
 */
record DeliveryReport(int windowSeconds, Map<String, Domain> domains, String unavailable) {
    /** The bucket of recipients whose domain no route names: the relay's default route. */
    static final String DEFAULT_BUCKET = "*";

    static final int MAX_REPLY = 300;
    static final Set<String> RESULTS = Set.of("sent", "deferred", "bounced");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    private static final Pattern DSN = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final Pattern VIA = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,300}");
    private static final Pattern ADDRESS =
            Pattern.compile("[^\\s<>()\\[\\]\"',;:]+@[^\\s<>()\\[\\]\"',;]+");

    /**
     * One domain: counts in the window, recipients queued, and the last attempt (null fields when
     * none).
     */
    record Domain(
            int sent,
            int deferred,
            int bounced,
            int queued,
            String lastResult,
            Instant lastTime,
            String lastDsn,
            String lastVia,
            String lastReply,
            int pods) {
        int failures() {
            return deferred + bounced;
        }

        int attempts() {
            return sent + deferred + bounced;
        }

        /**
         * This domain and {@code other} (another pod's) together: counts add up, the later last
         * attempt wins.
         */
        Domain plus(Domain other) {
            boolean mine =
                    other.lastTime == null
                            || (lastTime != null && !lastTime.isBefore(other.lastTime));
            Domain last = mine ? this : other;
            return new Domain(
                    sent + other.sent,
                    deferred + other.deferred,
                    bounced + other.bounced,
                    queued + other.queued,
                    last.lastResult,
                    last.lastTime,
                    last.lastDsn,
                    last.lastVia,
                    last.lastReply,
                    pods + other.pods);
        }
    }

    static DeliveryReport parse(String body) {
        Map<String, String> header = new HashMap<>();
        Map<String, Domain> domains = new TreeMap<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("domain=")) {
                Domain domain = parseDomain(line);
                String name = line.substring("domain=".length()).split(" ", 2)[0];
                if (domain != null
                        && (DEFAULT_BUCKET.equals(name) || DOMAIN.matcher(name).matches())) {
                    domains.put(name, domain);
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                header.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        int window = count(header.get("window"));
        String unavailable = header.get("unavailable");
        return new DeliveryReport(window, domains, unavailable == null ? null : text(unavailable));
    }

    private static Domain parseDomain(String line) {
        Map<String, String> fields = new HashMap<>();
        String pairs = line;
        int reply = line.indexOf(" reply=");
        if (reply >= 0) {
            fields.put("reply", line.substring(reply + " reply=".length()));
            pairs = line.substring(0, reply);
        }
        for (String pair : pairs.split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        String result = fields.get("last");
        Instant at = null;
        try {
            at = fields.containsKey("last_at") ? Instant.parse(fields.get("last_at")) : null;
        } catch (DateTimeParseException e) {
            // an unreadable time: the attempt is reported without one
        }
        boolean last = result != null && RESULTS.contains(result);
        String dsn = fields.get("dsn");
        String via = fields.get("via");
        return new Domain(
                count(fields.get("sent")),
                count(fields.get("deferred")),
                count(fields.get("bounced")),
                count(fields.get("queued")),
                last ? result : null,
                last ? at : null,
                last && dsn != null && DSN.matcher(dsn).matches() ? dsn : null,
                last && via != null && VIA.matcher(via).matches() ? via : null,
                last && fields.get("reply") != null ? text(fields.get("reply")) : null,
                1);
    }

    /**
     * A count from the network: 0 when missing or malformed, at most 10^9 so that sums stay ints.
     */
    private static int count(String value) {
        if (value == null || !value.matches("\\d{1,9}")) {
            return 0;
        }
        return Integer.parseInt(value);
    }

    /** One line, no addresses, at most {@value #MAX_REPLY} characters. */
    static String text(String raw) {
        String text = ADDRESS.matcher(SafeText.oneLine(raw.strip())).replaceAll("<redacted>");
        return text.length() > MAX_REPLY ? text.substring(0, MAX_REPLY - 3) + "..." : text;
    }

    /**
     * The reports of several pods of one relay, summed per domain (pods that reported nothing are
     * skipped).
     */
    static Map<String, Domain> sum(List<DeliveryReport> reports) {
        Map<String, Domain> sum = new TreeMap<>();
        for (DeliveryReport report : reports) {
            report.domains().forEach((name, domain) -> sum.merge(name, domain, Domain::plus));
        }
        return sum;
    }

    /** The longest window of the reports (they normally agree). */
    static int window(List<DeliveryReport> reports) {
        return reports.stream().mapToInt(DeliveryReport::windowSeconds).max().orElse(0);
    }

    static List<DeliveryReport> available(List<DeliveryReport> reports) {
        List<DeliveryReport> available = new ArrayList<>();
        for (DeliveryReport report : reports) {
            if (report != null && report.unavailable() == null) {
                available.add(report);
            }
        }
        return available;
    }
}
