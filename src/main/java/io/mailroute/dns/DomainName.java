package io.mailroute.dns;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An absolute DNS name as the engine keys, compares, sends and shows it: its canonical wire form
 * (RFC 4034 6.2: uncompressed, ASCII letters lower-cased) and its display text, both made once.
 * Names compare without regard to ASCII case (RFC 4343), which the canonical form makes a byte
 * comparison.
 *
 * <p>Why not dnsjava's {@code Name}: every answer named its owners and targets again, and building,
 * comparing (case-folded byte by byte) and displaying (through {@code toString} and a lower-cased
 * copy) those names was about a third of the engine's work per answer; see {@link WireAnswer}.
 */
final class DomainName {

    /** RFC 1035 2.3.4: a name is at most 255 octets on the wire, a label at most 63. */
    static final int MAX_WIRE = 255;

    static final int MAX_LABEL = 63;

    static final DomainName ROOT = new DomainName(new byte[] {0}, ".");

    private final byte[] wire;
    private final String text;
    private final int hash;

    /**
     * Names read from answers lately, by hash (a slot per hash, the last one wins): the same mail
     * exchangers serve many domains (at 10,000 domains of 100 hosts, every MX answer named one of
     * them again), and a name found here is not made, displayed and kept once more per answer. Its
     * slots are read and written without a lock: a name is immutable and its fields final, so a
     * name read from a slot is whole, and a lost write only costs a later answer a new name. At
     * most 4,096 names stay alive through it (about 2 MB if every one were of the longest kind).
     */
    private static final DomainName[] RECENT = new DomainName[4096];

    private DomainName(byte[] wire, String text) {
        this(wire, text, Arrays.hashCode(wire));
    }

    private DomainName(byte[] wire, String text, int hash) {
        this.wire = wire;
        this.text = text;
        this.hash = hash;
    }

    /**
     * The name whose wire form is {@code wire[from, from + length)}: uncompressed labels ending in
     * the root label, at most {@link #MAX_WIRE} octets (the caller checked). The bytes are copied
     * and lower-cased.
     */
    static DomainName fromWire(byte[] wire, int from, int length) {
        byte[] canonical = new byte[length];
        for (int i = 0; i < length; i++) {
            canonical[i] = lower(wire[from + i]);
        }
        return canonical(canonical);
    }

    /**
     * The name whose wire form is {@code canonical}: already lower-cased and checked as {@link
     * #fromWire} requires; the name keeps the array, which nobody may change afterwards.
     */
    static DomainName canonical(byte[] canonical) {
        if (canonical.length == 1) {
            return ROOT;
        }
        int hash = Arrays.hashCode(canonical);
        int slot = slot(hash);
        DomainName known = RECENT[slot];
        if (known != null && known.hash == hash && Arrays.equals(known.wire, canonical)) {
            return known;
        }
        DomainName made = new DomainName(canonical, text(canonical), hash);
        RECENT[slot] = made;
        return made;
    }

    /** The slot of {@link #RECENT} for a name's hash. */
    static int slot(int hash) {
        return (hash ^ (hash >>> 16)) & (RECENT.length - 1);
    }

    /**
     * The name of {@code text}, if it is plain: labels of ASCII letters, digits, '-' and '_' (upper
     * case allowed) separated by single dots, without the final dot, 1 to 63 octets per label, at
     * most 255 octets on the wire; null for anything else (the caller then takes the long way
     * through dnsjava's parser, which knows escapes). Host names are plain: this is how a route's
     * domain becomes a name without a parser.
     */
    static DomainName plain(String text) {
        int n = text.length();
        if (n == 0 || n + 2 > MAX_WIRE) {
            return null;
        }
        byte[] wire = new byte[n + 2];
        int lengthAt = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (!closeLabel(wire, lengthAt, i + 1)) {
                    return null;
                }
                lengthAt = i + 1;
            } else if (isPlain(c)) {
                wire[i + 1] = (byte) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            } else {
                return null;
            }
        }
        if (!closeLabel(wire, lengthAt, n + 1)) {
            return null;
        }
        // wire[n + 1] stays 0: the root label
        return new DomainName(wire, text(wire));
    }

    /**
     * Writes the length of the label that starts at {@code lengthAt} and ends before {@code end}.
     */
    private static boolean closeLabel(byte[] wire, int lengthAt, int end) {
        int length = end - lengthAt - 1;
        if (length < 1 || length > MAX_LABEL) {
            return false;
        }
        wire[lengthAt] = (byte) length;
        return true;
    }

    private static boolean isPlain(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_';
    }

    static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }

    /**
     * The display text of a canonical wire form: labels joined by dots, no final dot, and the
     * escapes of dnsjava's {@code Name.toString} (RFC 1035 5.1: "\DDD" for octets outside printable
     * ASCII and for the space, "\X" for the characters the master-file format gives a meaning), so
     * a name shows as it always did. Names of letters, digits, '-' and '_' are copied straight from
     * the wire, the length octets overwritten by the dots.
     */
    private static String text(byte[] canonical) {
        byte[] out = canonical.clone();
        int i = 0;
        while (out[i] != 0) {
            int end = i + 1 + (out[i] & 0xff);
            out[i] = '.';
            for (int j = i + 1; j < end; j++) {
                int b = out[j] & 0xff;
                if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_')) {
                    return escaped(canonical);
                }
            }
            i = end;
        }
        return new String(out, 1, i - 1, StandardCharsets.US_ASCII);
    }

    private static String escaped(byte[] canonical) {
        StringBuilder sb = new StringBuilder(canonical.length + 16);
        int i = 0;
        while (canonical[i] != 0) {
            int end = i + 1 + (canonical[i] & 0xff);
            if (i > 0) {
                sb.append('.');
            }
            for (int j = i + 1; j < end; j++) {
                int b = canonical[j] & 0xff;
                if (b <= 0x20 || b >= 0x7f) {
                    sb.append('\\');
                    sb.append((char) ('0' + b / 100));
                    sb.append((char) ('0' + b / 10 % 10));
                    sb.append((char) ('0' + b % 10));
                } else if ("\"().;\\@$".indexOf(b) >= 0) {
                    sb.append('\\').append((char) b);
                } else {
                    sb.append((char) b);
                }
            }
            i = end;
        }
        return sb.toString();
    }

    /** The canonical wire form; shared, never to be modified. */
    byte[] wire() {
        return wire;
    }

    /** Octets on the wire, the root label included. */
    int wireLength() {
        return wire.length;
    }

    /** Lower case, without the final dot; the root is ".". */
    String text() {
        return text;
    }

    boolean isRoot() {
        return wire.length == 1;
    }

    /**
     * Whether {@code message[at...]}, an uncompressed name (as in our own query's question), is
     * this name, without regard to ASCII case.
     */
    boolean matchesAt(byte[] message, int at) {
        if (at + wire.length > message.length) {
            return false;
        }
        for (int i = 0; i < wire.length; i++) {
            if (lower(message[at + i]) != wire[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o == this
                || (o instanceof DomainName n && n.hash == hash && Arrays.equals(n.wire, wire));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return text;
    }
}
