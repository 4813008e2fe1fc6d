package io.mailroute.postfix;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Collects the TLS policy and SASL credentials per next-hop lookup key and rejects conflicting
 * claims.
 *
 * <p>Postfix looks both tables up by the next-hop destination exactly as written in the transport
 * map or {@code relayhost} (brackets and port included). A next-hop list is split and every
 * destination is looked up on its own, so each gets its own entry. For {@code smtp:} with an empty
 * next hop the key is the recipient domain, and {@code .domain} covers its subdomains
 * (parent-domain matching applies to bare domains only).
 */
final class DestinationPolicies {

    /**
     * Who claimed a key, for error messages: {@code source (what)}, e.g. {@code ns/route
     * (example.com)}. Kept in parts and joined only for a message: every rule of a relay claims
     * keys, and conflicts are rare.
     */
    record Owner(String source, String what) {
        @Override
        public String toString() {
            return source + " (" + what + ")";
        }
    }

    private record Claim<T>(T value, Owner owner) {}

    private final SortedMap<String, Claim<TlsLevel>> tls = new TreeMap<>();
    private final SortedMap<String, Claim<SaslCredentials>> sasl = new TreeMap<>();

    /**
     * Keys claimed since {@link #begin()}, while {@code tentative}. Claims only ever add keys. The
     * lists are reused: a relay's rules are admitted one route at a time.
     */
    private final List<String> tlsAdded = new ArrayList<>();

    private final List<String> saslAdded = new ArrayList<>();
    private boolean tentative;

    /**
     * Starts a group of claims that {@link #rollback()} can take back as a whole (one route's
     * rules).
     */
    void begin() {
        tlsAdded.clear();
        saslAdded.clear();
        tentative = true;
    }

    /** Keeps the claims made since {@link #begin()}. */
    void commit() {
        tlsAdded.clear();
        saslAdded.clear();
        tentative = false;
    }

    /**
     * Removes the claims made since {@link #begin()}, leaving the policies as they were before it.
     */
    void rollback() {
        if (tentative) {
            tlsAdded.forEach(tls::remove);
            saslAdded.forEach(sasl::remove);
        }
        commit();
    }

    /**
     * Records the TLS policy for a recipient domain (or {@code .domain}) delivered by its own MX
     * hosts.
     */
    void addRecipientDomain(String key, TlsLevel policy, Owner owner) {
        claimTls(key, policy, owner);
    }

    /** Records TLS policy and credentials (null for none) for one next-hop destination. */
    void addNextHop(String destination, TlsLevel policy, SaslCredentials credentials, Owner owner) {
        claimTls(destination, policy, owner);
        Claim<SaslCredentials> earlier =
                sasl.putIfAbsent(destination, new Claim<>(credentials, owner));
        if (earlier == null && tentative) {
            saslAdded.add(destination);
        }
        if (earlier == null || Objects.equals(earlier.value(), credentials)) {
            return;
        }
        if (earlier.value() != null && credentials != null) {
            throw new PostfixInputException(
                    "sasl",
                    "next hop "
                            + destination
                            + " is used with different credentials by "
                            + earlier.owner()
                            + " and "
                            + owner);
        }
        Owner with = earlier.value() != null ? earlier.owner() : owner;
        Owner without = earlier.value() != null ? owner : earlier.owner();
        throw new PostfixInputException(
                "sasl",
                "next hop "
                        + destination
                        + " is used with credentials by "
                        + with
                        + " and without credentials by "
                        + without);
    }

    boolean usesDane() {
        return tls.values().stream().anyMatch(claim -> claim.value() == TlsLevel.DANE);
    }

    boolean hasCredentials() {
        return sasl.values().stream().anyMatch(claim -> claim.value() != null);
    }

    /** {@code key level} lines, sorted by key. */
    List<String> tlsLines() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Claim<TlsLevel>> entry : tls.entrySet()) {
            lines.add(entry.getKey() + " " + entry.getValue().value().postfixLevel());
        }
        return lines;
    }

    /** {@code key username:password} lines, sorted by key. */
    List<String> saslLines() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Claim<SaslCredentials>> entry : sasl.entrySet()) {
            if (entry.getValue().value() != null) {
                lines.add(entry.getKey() + " " + entry.getValue().value().mapValue());
            }
        }
        return lines;
    }

    private void claimTls(String key, TlsLevel policy, Owner owner) {
        Claim<TlsLevel> earlier = tls.putIfAbsent(key, new Claim<>(policy, owner));
        if (earlier == null && tentative) {
            tlsAdded.add(key);
        }
        if (earlier != null && earlier.value() != policy) {
            throw new PostfixInputException(
                    "tls",
                    "next hop "
                            + key
                            + " gets TLS policy "
                            + earlier.value().postfixLevel()
                            + " from "
                            + earlier.owner()
                            + " but "
                            + policy.postfixLevel()
                            + " from "
                            + owner);
        }
    }
}
