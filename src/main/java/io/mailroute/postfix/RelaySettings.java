package io.mailroute.postfix;

import java.util.List;
import java.util.TreeSet;

/**
 * Relay-wide settings.
 *
 * @param name relay object, e.g. {@code ns/relay}, named in the header comment of every file
 * @param myHostname fully qualified host name the relay uses in HELO, normalized
 * @param acceptFrom client networks allowed to relay as canonical CIDR text ({@code 2001:db8::/32},
 *     without the brackets Postfix wants, which {@link MainCf} adds), sorted and de-duplicated;
 *     together limited by {@link Networks#requireLimitedReach}; loopback is always allowed in
 *     addition
 * @param defaultRoute where mail without a matching rule goes
 */
public record RelaySettings(
        String name, String myHostname, List<String> acceptFrom, DefaultRouteRule defaultRoute) {

    /** Validates and normalizes every component. */
    public RelaySettings {
        name = Inputs.requireObjectName("name", name);
        myHostname = DomainNames.normalize("myHostname", myHostname);
        acceptFrom = normalizeNetworks(acceptFrom);
        if (defaultRoute == null) {
            throw new PostfixInputException("defaultRoute", "must be set");
        }
    }

    private static List<String> normalizeNetworks(List<String> networks) {
        if (networks == null) {
            return List.of();
        }
        TreeSet<String> normalized = new TreeSet<>();
        for (int i = 0; i < networks.size(); i++) {
            normalized.add(Networks.normalizeCidr("acceptFrom[" + i + "]", networks.get(i)));
        }
        // The union is checked here, not per entry: two half-networks are as open as one /0.
        List<String> result = List.copyOf(normalized);
        Networks.requireLimitedReach("acceptFrom", result);
        return result;
    }
}
