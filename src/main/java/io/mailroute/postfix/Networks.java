package io.mailroute.postfix;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Validates client networks for Postfix {@code mynetworks}.
 *
 * <p>Accepted: {@code 10.0.0.0/8}, a bare IPv4 address (treated as {@code /32}), {@code
 * 2001:db8::/32} and a bare IPv6 address (treated as {@code /128}). {@link #normalizeCidr} returns
 * the canonical CIDR text without brackets ({@code 2001:db8::/32}); it is idempotent, so a value
 * that was normalized once can be validated again (an earlier version returned the Postfix form
 * {@code [2001:db8::]/32} and then refused its own output, so every IPv6 network was rejected).
 * {@link #postfixPattern} turns the canonical text into Postfix syntax ({@code [2001:db8::]/32},
 * see postconf(5) mynetworks: IPv6 addresses are written in brackets) and is used only when main.cf
 * is rendered.
 *
 * <p>Decisions: a network whose host bits are set ({@code 10.1.2.3/8}) is rejected with the
 * intended network as a hint: Postfix treats such a pattern as a lookup error (mail is deferred)
 * and the intent is ambiguous. A prefix length of 0 is rejected because it would make this an open
 * relay for every client that can reach it. A set of networks is further limited by {@link
 * #requireLimitedReach}: {@code 0.0.0.0/1} plus {@code 128.0.0.0/1} is as open as {@code
 * 0.0.0.0/0}.
 */
public final class Networks {

    /**
     * Most publicly routable IPv4 addresses that {@code acceptFrom} may cover in total: 2^16, a
     * /16.
     *
     * <p>Why: every client in {@code mynetworks} may relay to any domain, so a public range is only
     * safe when every host in it is run by the relay's owner. A /16 is about the largest block a
     * single organisation holds for its own hosts; larger public blocks are in practice cloud,
     * hosting or ISP ranges shared with strangers, and a relay open to them is an open relay for
     * anyone who rents an address there. Cluster networks (pods, nodes, services) normally use
     * private space, which is not limited (see {@link #NON_PUBLIC_V4}).
     */
    public static final BigInteger MAX_PUBLIC_V4 = BigInteger.ONE.shiftLeft(16);

    /**
     * Most globally routable IPv6 addresses that {@code acceptFrom} may cover in total: 2^80, a
     * /48.
     *
     * <p>Why: a /48 is the usual assignment to one site (RFC 6177 section 2); anything larger spans
     * several sites and, for a public prefix, usually other people's. Cluster pod and service
     * ranges fit in a /48 (or use ULA space, which is not limited).
     */
    public static final BigInteger MAX_PUBLIC_V6 = BigInteger.ONE.shiftLeft(80);

    /**
     * IPv4 ranges that are not routed on the public internet, so a remote attacker cannot send from
     * them (special-purpose registry, RFC 6890): private use (RFC 1918), shared address space used
     * by carrier-grade NAT and several cluster networks (RFC 6598), loopback (RFC 1122), link local
     * (RFC 3927) and the documentation ranges (RFC 5737).
     */
    static final List<String> NON_PUBLIC_V4 =
            List.of(
                    "10.0.0.0/8",
                    "100.64.0.0/10",
                    "127.0.0.0/8",
                    "169.254.0.0/16",
                    "172.16.0.0/12",
                    "192.0.2.0/24",
                    "192.168.0.0/16",
                    "198.51.100.0/24",
                    "203.0.113.0/24");

    /**
     * IPv6 ranges that are not globally routed: loopback (RFC 4291), unique local addresses (RFC
     * 4193), link local (RFC 4291) and the documentation prefix (RFC 3849). IPv4-mapped networks
     * ({@code ::ffff:0:0/96}) are refused by {@link #normalizeCidr} altogether.
     */
    static final List<String> NON_PUBLIC_V6 =
            List.of("::1/128", "fc00::/7", "fe80::/10", "2001:db8::/32");

    private static final List<Interval> NON_PUBLIC_V4_INTERVALS = intervals(NON_PUBLIC_V4);
    private static final List<Interval> NON_PUBLIC_V6_INTERVALS = intervals(NON_PUBLIC_V6);

    private Networks() {}

    /**
     * Normalizes one CIDR entry to canonical text without brackets: {@code 10.0.0.0/8}, {@code
     * 2001:db8::/32}. Normalizing a normalized value returns it unchanged.
     *
     * @param field path reported in the exception, e.g. {@code acceptFrom[0]}
     * @throws PostfixInputException when {@code input} is not an acceptable network
     */
    public static String normalizeCidr(String field, String input) {
        Parsed parsed = parse(field, input);
        return parsed.address.canonical() + "/" + parsed.prefix;
    }

    /**
     * The Postfix {@code mynetworks} pattern for a network: IPv6 in brackets ({@code
     * [2001:db8::]/32}), IPv4 as is.
     *
     * @param cidr a network, normalized or not
     * @throws PostfixInputException when {@code cidr} is not an acceptable network
     */
    public static String postfixPattern(String cidr) {
        Parsed parsed = parse("network", cidr);
        String text = parsed.address.canonical();
        return (parsed.address.isV6() ? "[" + text + "]" : text) + "/" + parsed.prefix;
    }

    /**
     * Refuses a set of networks that together cover more publicly routable space than {@link
     * #MAX_PUBLIC_V4} or {@link #MAX_PUBLIC_V6}. Overlapping networks are counted once and
     * non-public ranges are not counted, so {@code 10.0.0.0/8} passes while {@code 0.0.0.0/1} plus
     * {@code 128.0.0.0/1} (the whole IPv4 internet in two halves) does not.
     *
     * @param field path reported in the exception, e.g. {@code acceptFrom}
     * @param networks valid networks (each accepted by {@link #normalizeCidr})
     * @throws PostfixInputException when the union is too large
     */
    public static void requireLimitedReach(String field, List<String> networks) {
        List<Interval> v4 = new ArrayList<>();
        List<Interval> v6 = new ArrayList<>();
        for (String network : networks) {
            Parsed parsed = parse(field, network);
            (parsed.address.isV6() ? v6 : v4).add(Interval.of(parsed));
        }
        BigInteger publicV4 = publicSize(v4, NON_PUBLIC_V4_INTERVALS);
        if (publicV4.compareTo(MAX_PUBLIC_V4) > 0) {
            throw new PostfixInputException(
                    field,
                    "together the networks cover "
                            + publicV4
                            + " publicly routable IPv4 addresses; at most "
                            + MAX_PUBLIC_V4
                            + " (a /16) are allowed, because every client in acceptFrom may relay mail to any domain");
        }
        BigInteger publicV6 = publicSize(v6, NON_PUBLIC_V6_INTERVALS);
        if (publicV6.compareTo(MAX_PUBLIC_V6) > 0) {
            throw new PostfixInputException(
                    field,
                    "together the networks cover more globally routable IPv6 space"
                            + " than a /48 (2^"
                            + (publicV6.bitLength() - 1)
                            + " or more addresses); at most a /48 is"
                            + " allowed, because every client in acceptFrom may relay mail to any domain");
        }
    }

    /**
     * Size of the union of {@code networks} minus the (pairwise disjoint) {@code nonPublic} ranges.
     */
    private static BigInteger publicSize(List<Interval> networks, List<Interval> nonPublic) {
        List<Interval> sorted = new ArrayList<>(networks);
        sorted.sort(Comparator.comparing(Interval::first));
        List<Interval> merged = new ArrayList<>();
        for (Interval next : sorted) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && next.first().compareTo(last.last().add(BigInteger.ONE)) <= 0) {
                merged.set(
                        merged.size() - 1,
                        new Interval(last.first(), last.last().max(next.last())));
            } else {
                merged.add(next);
            }
        }
        BigInteger total = BigInteger.ZERO;
        for (Interval interval : merged) {
            total = total.add(interval.size());
            for (Interval excluded : nonPublic) {
                total = total.subtract(interval.overlap(excluded));
            }
        }
        return total;
    }

    private static List<Interval> intervals(List<String> cidrs) {
        return cidrs.stream().map(cidr -> Interval.of(parse("network", cidr))).toList();
    }

    private static Parsed parse(String field, String input) {
        if (input == null || input.isEmpty()) {
            throw new PostfixInputException(field, "must not be empty");
        }
        String invisible = Inputs.invisibleCharacterProblem(input);
        if (invisible != null) {
            throw invalid(field, input, invisible);
        }
        if (input.indexOf(',') >= 0) {
            throw invalid(field, input, "contains a comma; list each network separately");
        }
        if (input.indexOf('[') >= 0 || input.indexOf(']') >= 0) {
            throw invalid(field, input, "write the network without brackets, like 2001:db8::/32");
        }
        int slash = input.indexOf('/');
        String addressText = slash < 0 ? input : input.substring(0, slash);
        IpAddress address = IpAddress.parseOrNull(addressText);
        if (address == null) {
            throw invalid(field, input, "not an IPv4 or IPv6 address");
        }
        int prefix =
                slash < 0
                        ? address.bitLength()
                        : parsePrefix(
                                field, input, input.substring(slash + 1), address.bitLength());
        if (prefix == 0) {
            throw invalid(
                    field, input, "a prefix length of 0 would accept mail from every address");
        }
        if (isIpv4Mapped(address, prefix)) {
            // RFC 4291 section 2.5.5.2: ::ffff:a.b.c.d stands for an IPv4 host. Postfix compares
            // IPv4 clients with
            // IPv4 patterns, so such an entry would silently match nothing (or, with other
            // software, everything).
            throw invalid(
                    field, input, "an IPv4-mapped IPv6 network; write the IPv4 network instead");
        }
        if (address.hasHostBits(prefix)) {
            throw invalid(
                    field,
                    input,
                    "host bits are set; did you mean "
                            + address.network(prefix).canonical()
                            + "/"
                            + prefix
                            + "?");
        }
        return new Parsed(address, prefix);
    }

    private static boolean isIpv4Mapped(IpAddress address, int prefix) {
        if (!address.isV6() || prefix < 96) {
            return false;
        }
        byte[] bytes = address.bytes();
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    private static int parsePrefix(String field, String input, String prefixText, int maxPrefix) {
        if (prefixText.isEmpty()
                || prefixText.length() > 3
                || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(field, input, "prefix length must be a number from 1 to " + maxPrefix);
        }
        int prefix = Integer.parseInt(prefixText);
        if (prefix > maxPrefix) {
            throw invalid(field, input, "prefix length " + prefix + " is larger than " + maxPrefix);
        }
        return prefix;
    }

    private static PostfixInputException invalid(String field, String input, String why) {
        return new PostfixInputException(
                field, Inputs.quote(input) + " is not a valid network: " + why);
    }

    private record Parsed(IpAddress address, int prefix) {}

    /** Inclusive range of addresses as unsigned numbers. */
    private record Interval(BigInteger first, BigInteger last) {

        static Interval of(Parsed parsed) {
            BigInteger first = new BigInteger(1, parsed.address.bytes());
            int hostBits = parsed.address.bitLength() - parsed.prefix;
            return new Interval(
                    first, first.add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE));
        }

        BigInteger size() {
            return last.subtract(first).add(BigInteger.ONE);
        }

        BigInteger overlap(Interval other) {
            BigInteger from = first.max(other.first);
            BigInteger to = last.min(other.last);
            return from.compareTo(to) > 0 ? BigInteger.ZERO : to.subtract(from).add(BigInteger.ONE);
        }
    }
}
