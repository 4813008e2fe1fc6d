package io.mailroute.postfix;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders main.cf for a relay-only Postfix: no local delivery, relaying only for {@code
 * mynetworks}, routing via the transport map, TLS policy and SASL maps under {@code
 * $config_directory} so that the same file works in a container ({@code /etc/postfix}) and in a
 * test instance started with {@code -c DIR}.
 */
final class MainCf {

    /** Loopback networks, always allowed to relay so that in-pod probes and tools can send mail. */
    static final String LOOPBACK = "127.0.0.0/8 [::1]/128";

    private MainCf() {}

    static String render(RelaySettings relay, boolean usesDane, boolean hasCredentials) {
        StringBuilder out = new StringBuilder();
        out.append("# Postfix main.cf for relay ").append(relay.name()).append('\n');
        out.append(PostfixRenderer.GENERATED_NOTICE).append('\n');
        set(out, "compatibility_level", "3.6");
        set(out, "myhostname", relay.myHostname());
        set(out, "inet_interfaces", "all");
        set(out, "mydestination", "");
        set(out, "local_transport", "error:local delivery is disabled");
        set(out, "local_recipient_maps", "");
        set(out, "alias_maps", "");
        set(out, "mynetworks", mynetworks(relay));
        set(out, "relay_domains", "");
        set(out, "smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination");
        set(out, "smtpd_recipient_restrictions", "permit_mynetworks, reject");
        set(out, "relayhost", relayhost(relay.defaultRoute()));
        set(out, "transport_maps", "lmdb:$config_directory/" + PostfixConfig.TRANSPORT);
        set(out, "smtp_defer_if_no_mx_address_found", "yes");
        set(out, "smtp_tls_security_level", TlsLevel.MAY.postfixLevel());
        set(out, "smtp_tls_loglevel", "1");
        set(out, "smtp_tls_CAfile", "/etc/ssl/certs/ca-certificates.crt");
        set(out, "smtp_tls_policy_maps", "lmdb:$config_directory/" + PostfixConfig.TLS_POLICY);
        if (usesDane) {
            set(out, "smtp_dns_support_level", "dnssec");
        }
        if (hasCredentials) {
            set(out, "smtp_sasl_auth_enable", "yes");
            set(
                    out,
                    "smtp_sasl_password_maps",
                    "lmdb:$config_directory/" + PostfixConfig.SASL_PASSWD);
            set(out, "smtp_sasl_security_options", "noanonymous");
            set(out, "smtp_sasl_tls_security_options", "noanonymous");
        }
        set(out, "maillog_file", "/dev/stdout");
        return out.toString();
    }

    private static String mynetworks(RelaySettings relay) {
        Set<String> networks = new LinkedHashSet<>(List.of(LOOPBACK.split(" ")));
        for (String network : relay.acceptFrom()) {
            networks.add(Networks.postfixPattern(network));
        }
        return String.join(" ", networks);
    }

    private static String relayhost(DefaultRouteRule route) {
        if (route instanceof DefaultRouteRule.Smarthost smarthost) {
            return smarthost.nextHop().postfixDestination();
        }
        return "";
    }

    private static void set(StringBuilder out, String parameter, String value) {
        out.append(parameter).append(" =");
        if (!value.isEmpty()) {
            out.append(' ').append(value);
        }
        out.append('\n');
    }
}
