package io.mailroute.postfix;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * How one route sends, when it asks for more than the shared {@code smtp} transport: the route then
 * gets a delivery transport of its own in master.cf (Postfix reads per-destination limits per
 * transport), and its transport map entries name it instead of {@code smtp}. Every value is a
 * bounded number or a flag, validated here; nothing a user wrote reaches master.cf or main.cf as
 * text (the transport name is derived from a hash of the route's name).
 *
 * @param concurrency at most this many parallel deliveries to one destination (a next hop, or the
 *     recipient domain for MX delivery): {@code <transport>_destination_concurrency_limit},
 *     postconf(5); 1 to 100; null: Postfix's default (20)
 * @param rateDelaySeconds at least this long between two deliveries to one destination: {@code
 *     <transport>_destination_rate_delay}, postconf(5); 0 to 3600; null or 0: no delay
 * @param recipientLimit at most this many recipients per delivery (per SMTP transaction): {@code
 *     <transport>_destination_recipient_limit}, postconf(5); 2 to 1000 (1 would make the rate delay
 *     apply per recipient instead of per destination, see default_destination_rate_delay); null:
 *     Postfix's default (50)
 * @param implicitTls TLS from the first byte ("SMTPS", port 465, RFC 8314) instead of STARTTLS:
 *     {@code smtp_tls_wrappermode = yes} for this transport, which postconf(5) says needs {@code
 *     smtp_tls_security_level = encrypt} or stronger
 */
public record TransportSettings(
        Integer concurrency,
        Integer rateDelaySeconds,
        Integer recipientLimit,
        boolean implicitTls) {
    /** The shared smtp transport with Postfix's defaults. */
    public static final TransportSettings DEFAULT = new TransportSettings(null, null, null, false);

    static final int MAX_CONCURRENCY = 100;
    static final int MAX_RATE_DELAY_SECONDS = 3600;
    static final int MAX_RECIPIENT_LIMIT = 1000;

    /**
     * With a rate delay, one failed connection would otherwise throttle the destination to nothing:
     * postconf(5), default_destination_rate_delay, recommends a failed-cohort limit of 10 or more.
     */
    static final int RATE_DELAY_FAILED_COHORT_LIMIT = 10;

    /** Validates the ranges; field names are those of the MailRoute spec ({@code delivery.*}). */
    public TransportSettings {
        check("delivery.concurrency", concurrency, 1, MAX_CONCURRENCY);
        check("delivery.rateDelaySeconds", rateDelaySeconds, 0, MAX_RATE_DELAY_SECONDS);
        check("delivery.recipientLimit", recipientLimit, 2, MAX_RECIPIENT_LIMIT);
        if (rateDelaySeconds != null && rateDelaySeconds == 0) {
            rateDelaySeconds = null;
        }
    }

    private static void check(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new PostfixInputException(
                    field, "must be between " + min + " and " + max + ", not " + value);
        }
    }

    /**
     * True when the route can share the smtp transport (nothing differs from Postfix's defaults).
     */
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /**
     * The master.cf service name of the transport of route {@code source}: "mr" and 12 hex digits
     * of SHA-256 of the source. Letters and digits only, so it is a valid service name and main.cf
     * parameter prefix whatever the route is called, and stable across renders (a rename makes a
     * new transport).
     */
    static String transportName(String source) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(source.getBytes(StandardCharsets.UTF_8));
            return "mr" + HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /**
     * The master.cf entry of transport {@code name}: an smtp(8) client like the shared one (same
     * columns as the image's smtp line: not chrooted, default process limit), with the per-service
     * overrides of implicit TLS.
     */
    String masterCfEntry(String name, String source) {
        StringBuilder out = new StringBuilder("# ").append(source).append('\n');
        out.append(name).append(" unix - - n - - smtp\n");
        // the log names the route's transport, so a log line can be traced to its route without the
        // map
        out.append("  -o syslog_name=postfix/").append(name).append('\n');
        if (implicitTls) {
            out.append("  -o smtp_tls_wrappermode=yes\n");
            out.append("  -o smtp_tls_security_level=encrypt\n");
        }
        return out.toString();
    }

    /**
     * The main.cf lines of transport {@code name} (per-transport queue manager limits,
     * postconf(5)).
     */
    List<String> mainCfLines(String name) {
        List<String> lines = new ArrayList<>();
        if (concurrency != null) {
            lines.add(name + "_destination_concurrency_limit = " + concurrency);
        }
        if (rateDelaySeconds != null) {
            lines.add(name + "_destination_rate_delay = " + rateDelaySeconds + "s");
            lines.add(
                    name
                            + "_destination_concurrency_failed_cohort_limit = "
                            + RATE_DELAY_FAILED_COHORT_LIMIT);
        }
        if (recipientLimit != null) {
            lines.add(name + "_destination_recipient_limit = " + recipientLimit);
        }
        return lines;
    }
}
