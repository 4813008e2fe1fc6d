package io.mailroute.dns;

import java.net.InetAddress;

/** Text form of addresses: dotted quad for IPv4, RFC 5952 compressed form for IPv6. */
final class AddressText {

    private AddressText() {}

    static String of(InetAddress address) {
        byte[] b = address.getAddress();
        return of(b, 0, b.length);
    }

    /**
     * The text of the address in {@code b[from, from + length)}: 4 octets (IPv4) or 16 (IPv6), in
     * network order, as an A or AAAA record carries it.
     */
    static String of(byte[] b, int from, int length) {
        if (length == 4) {
            return (b[from] & 0xff)
                    + "."
                    + (b[from + 1] & 0xff)
                    + "."
                    + (b[from + 2] & 0xff)
                    + "."
                    + (b[from + 3] & 0xff);
        }
        if (length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 octets, not " + length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[from + 2 * i] & 0xff) << 8) | (b[from + 2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
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
}
