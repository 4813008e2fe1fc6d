package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * How the relay sends a route's mail. Any field set gives the route a Postfix delivery transport of
 * its own (postconf(5) per-transport limits); without any, the route shares the relay's smtp
 * transport.
 */
public class DeliverySettings {
    @Min(1)
    @Max(100)
    @JsonPropertyDescription(
            "At most this many parallel deliveries to one next hop (or, for an mx target, to the "
                    + "recipient domain): Postfix <transport>_destination_concurrency_limit (default 20). Large receivers "
                    + "throttle senders that open many connections.")
    public Integer concurrency;

    @Min(0)
    @Max(3600)
    @JsonPropertyDescription(
            "At least this many seconds between two deliveries to one next hop: Postfix "
                    + "<transport>_destination_rate_delay (0: no delay). A delay makes deliveries to the destination "
                    + "sequential.")
    public Integer rateDelaySeconds;

    @Min(2)
    @Max(1000)
    @JsonPropertyDescription(
            "At most this many recipients per delivery (SMTP transaction): Postfix "
                    + "<transport>_destination_recipient_limit (default 50).")
    public Integer recipientLimit;

    @JsonPropertyDescription(
            "Implicit TLS (\"SMTPS\", usually port 465, RFC 8314): TLS from the first byte instead "
                    + "of STARTTLS, for smarthosts that need it (Postfix smtp_tls_wrappermode). Needs tls encrypt, verify or "
                    + "secure and a hosts or relay target; set the port (e.g. 465) on the target.")
    public Boolean implicitTls;

    public DeliverySettings() {}
}
