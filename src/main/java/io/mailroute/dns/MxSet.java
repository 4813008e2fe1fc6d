package io.mailroute.dns;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
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
 * <p>Held as two parallel arrays sorted by preference, then host name, without duplicates: every
 * check builds one, and the operator image's C1-only JIT pays for each object of the {@code
 * TreeMap} of {@code TreeSet}s this used to be (two of them per check, a copy in the constructor).
 * {@link #groups()} still gives that map, built when asked (JSON output, {@link #toString()}).
 */
public final class MxSet {

    private static final MxSet EMPTY = new MxSet(new int[0], new String[0]);

    private final int[] preferences;
    private final String[] hosts;

    private MxSet(int[] preferences, String[] hosts) {
        this.preferences = preferences;
        this.hosts = hosts;
    }

    /**
     * @param groups preference to host names (any case, trailing dot optional; "." is null MX)
     */
    public MxSet(SortedMap<Integer, SortedSet<String>> groups) {
        int n = 0;
        for (SortedSet<String> g : groups.values()) {
            n += g.size();
        }
        int[] p = new int[n];
        String[] h = new String[n];
        int i = 0;
        for (Map.Entry<Integer, SortedSet<String>> e : groups.entrySet()) {
            for (String host : e.getValue()) {
                p[i] = e.getKey();
                h[i++] = normalize(host);
            }
        }
        int kept = sortAndDedupe(p, h, n);
        this.preferences = kept == n ? p : Arrays.copyOf(p, kept);
        this.hosts = kept == n ? h : Arrays.copyOf(h, kept);
    }

    public static MxSet empty() {
        return EMPTY;
    }

    /**
     * The set of the first {@code count} (preference, host) pairs; takes over both arrays, which
     * the caller must not use afterwards. Hosts are normalized here.
     */
    static MxSet of(int[] preferences, String[] hosts, int count) {
        if (count == 0) {
            return EMPTY;
        }
        for (int i = 0; i < count; i++) {
            hosts[i] = normalize(hosts[i]);
        }
        int kept = sortAndDedupe(preferences, hosts, count);
        return new MxSet(
                kept == preferences.length ? preferences : Arrays.copyOf(preferences, kept),
                kept == hosts.length ? hosts : Arrays.copyOf(hosts, kept));
    }

    /** A copy with one more MX record. */
    public MxSet with(int preference, String host) {
        int n = hosts.length;
        int[] p = Arrays.copyOf(preferences, n + 1);
        String[] h = Arrays.copyOf(hosts, n + 1);
        p[n] = preference;
        h[n] = host;
        return of(p, h, n + 1);
    }

    /** Whether {@code host} (any case, trailing dot optional) is one of the exchanges. */
    public boolean containsHost(String host) {
        String h = normalize(host);
        for (String mine : hosts) {
            if (mine.equals(h)) {
                return true;
            }
        }
        return false;
    }

    /** All exchanges, by preference, then name. */
    public List<String> hostNames() {
        return List.of(hosts);
    }

    /** Preference to host names, sorted; the form in the JSON output ({@code mxSet.groups}). */
    @JsonProperty("groups")
    public SortedMap<Integer, SortedSet<String>> groups() {
        TreeMap<Integer, SortedSet<String>> groups = new TreeMap<>();
        for (int i = 0; i < hosts.length; i++) {
            groups.computeIfAbsent(preferences[i], p -> new TreeSet<>()).add(hosts[i]);
        }
        groups.replaceAll((p, h) -> Collections.unmodifiableSortedSet(h));
        return Collections.unmodifiableSortedMap(groups);
    }

    @Override
    public boolean equals(Object o) {
        // both sides sorted and without duplicates: equal sets have equal arrays
        return o == this
                || (o instanceof MxSet other
                        && Arrays.equals(preferences, other.preferences)
                        && Arrays.equals(hosts, other.hosts));
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(preferences) + Arrays.hashCode(hosts);
    }

    /** As the map of {@link #groups()} prints, e.g. {@code {0=[.], 10=[a.example, b.example]}}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < hosts.length; i++) {
            boolean first = i == 0 || preferences[i] != preferences[i - 1];
            boolean last = i == hosts.length - 1 || preferences[i] != preferences[i + 1];
            if (first) {
                out.append(i == 0 ? "" : ", ").append(preferences[i]).append("=[");
            } else {
                out.append(", ");
            }
            out.append(hosts[i]);
            if (last) {
                out.append(']');
            }
        }
        return out.append('}').toString();
    }

    static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.length() > 1 && h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * Sorts the first {@code n} pairs by preference, then host (insertion sort: a domain has a
     * handful of MX records), drops repeated pairs and returns how many are left.
     */
    private static int sortAndDedupe(int[] p, String[] h, int n) {
        for (int i = 1; i < n; i++) {
            int pref = p[i];
            String host = h[i];
            int j = i - 1;
            while (j >= 0 && (p[j] > pref || (p[j] == pref && h[j].compareTo(host) > 0))) {
                p[j + 1] = p[j];
                h[j + 1] = h[j];
                j--;
            }
            p[j + 1] = pref;
            h[j + 1] = host;
        }
        int kept = n == 0 ? 0 : 1;
        for (int i = 1; i < n; i++) {
            if (p[i] != p[kept - 1] || !h[i].equals(h[kept - 1])) {
                p[kept] = p[i];
                h[kept++] = h[i];
            }
        }
        return kept;
    }
}
