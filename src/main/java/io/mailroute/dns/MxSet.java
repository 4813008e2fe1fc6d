package io.mailroute.dns;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A domain's MX records as preference groups: hosts of equal preference form a set, so two MX sets
 * are equal regardless of the order in which servers returned the records.
 *
 * @param groups preference to host names (lower case, no final dot; "." is the null MX)
 */
public record MxSet(SortedMap<Integer, SortedSet<String>> groups) {

    public MxSet {
        TreeMap<Integer, SortedSet<String>> copy = new TreeMap<>();
        for (Map.Entry<Integer, SortedSet<String>> e : groups.entrySet()) {
            TreeSet<String> hosts = new TreeSet<>();
            e.getValue().forEach(h -> hosts.add(normalize(h)));
            copy.put(e.getKey(), Collections.unmodifiableSortedSet(hosts));
        }
        groups = Collections.unmodifiableSortedMap(copy);
    }

    public static MxSet empty() {
        return new MxSet(new TreeMap<>());
    }

    /** A copy with one more MX record. */
    public MxSet with(int preference, String host) {
        TreeMap<Integer, SortedSet<String>> copy = new TreeMap<>();
        groups.forEach((p, hosts) -> copy.put(p, new TreeSet<>(hosts)));
        copy.computeIfAbsent(preference, p -> new TreeSet<>()).add(normalize(host));
        return new MxSet(copy);
    }

    /** Whether {@code host} (any case, trailing dot optional) is one of the exchanges. */
    public boolean containsHost(String host) {
        String h = normalize(host);
        return groups.values().stream().anyMatch(hosts -> hosts.contains(h));
    }

    /** All exchanges, by preference, then name. */
    public List<String> hostNames() {
        return groups.values().stream().flatMap(SortedSet::stream).toList();
    }

    @Override
    public String toString() {
        return groups.toString();
    }

    static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.length() > 1 && h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
