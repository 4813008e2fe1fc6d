package io.mailroute.postfix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Strict IPv4/IPv6 literal parser that never touches DNS (unlike {@link
 * java.net.InetAddress#getByName}). IPv4 must be four decimal octets without leading zeros; IPv6
 * follows RFC 4291 text form (an embedded IPv4 tail is allowed) without zone ids. {@link
 * #canonical()} returns dotted quad or the RFC 5952 form.
 */
final class IpAddress {

    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parses an IPv4 or IPv6 literal, or returns null when {@code text} is not one. */
    static IpAddress parseOrNull(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        byte[] parsed = text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
        return parsed == null ? null : new IpAddress(parsed);
    }

    boolean isV6() {
        return bytes.length == 16;
    }

    /** A copy of the address in network byte order. */
    byte[] bytes() {
        return bytes.clone();
    }

    int bitLength() {
        return bytes.length * 8;
    }

    /** True when any bit after the first {@code prefixLength} bits is set. */
    boolean hasHostBits(int prefixLength) {
        return !Arrays.equals(bytes, network(prefixLength).bytes);
    }

    /** This address with every bit after the first {@code prefixLength} bits cleared. */
    IpAddress network(int prefixLength) {
        byte[] masked = bytes.clone();
        for (int bit = prefixLength; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new IpAddress(masked);
    }

    /**
     * Dotted quad for IPv4, RFC 5952 text (lowercase, shortest, longest zero run as {@code ::}) for
     * IPv6.
     */
    String canonical() {
        if (!isV6()) {
            return (bytes[0] & 0xff)
                    + "."
                    + (bytes[1] & 0xff)
                    + "."
                    + (bytes[2] & 0xff)
                    + "."
                    + (bytes[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > bestLength) {
                bestStart = i;
                bestLength = end - i;
            }
            i = end;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static byte[] parseV4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty()
                    || part.length() > 3
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    private static byte[] parseV6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        List<Integer> head;
        List<Integer> tail;
        if (gap < 0) {
            head = parseGroups(text, true);
            tail = List.of();
        } else {
            head = parseGroups(text.substring(0, gap), false);
            tail = parseGroups(text.substring(gap + 2), true);
        }
        if (head == null || tail == null) {
            return null;
        }
        int explicit = head.size() + tail.size();
        if (gap < 0 ? explicit != 8 : explicit > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.size(); i++) {
            putGroup(out, i, head.get(i));
        }
        for (int i = 0; i < tail.size(); i++) {
            putGroup(out, 8 - tail.size() + i, tail.get(i));
        }
        return out;
    }

    /**
     * Colon-separated 16-bit groups; the last one may be a dotted IPv4 address (two groups) if
     * allowed.
     */
    private static List<Integer> parseGroups(String text, boolean mayEndWithIpv4) {
        List<Integer> groups = new ArrayList<>();
        if (text.isEmpty()) {
            return groups;
        }
        String[] parts = text.split(":", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            boolean last = i == parts.length - 1;
            if (last && mayEndWithIpv4 && part.indexOf('.') >= 0) {
                byte[] v4 = parseV4(part);
                if (v4 == null) {
                    return null;
                }
                groups.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                groups.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                int digit = Character.digit(part.charAt(j), 16);
                if (digit < 0 || part.charAt(j) > 'f') {
                    return null;
                }
                value = value * 16 + digit;
            }
            groups.add(value);
        }
        return groups;
    }

    private static void putGroup(byte[] out, int index, int value) {
        out[2 * index] = (byte) (value >>> 8);
        out[2 * index + 1] = (byte) value;
    }
}
