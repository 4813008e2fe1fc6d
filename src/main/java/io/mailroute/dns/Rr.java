package io.mailroute.dns;

import java.util.Arrays;
import java.util.Objects;
import org.xbill.DNS.Type;

/**
 * One resource record of an answer section, with the data the engine reads already decoded: an MX
 * record's preference and exchange, a CNAME's target, an A or AAAA record's address as text (RFC
 * 5952 for IPv6). Any other type keeps its raw data, compared as bytes.
 *
 * <p>Equal records have the same owner, type and data; the TTL is not compared (as in RFC 2181 5.2,
 * records differing only in TTL are the same record), so the UDP and TCP answers to one question
 * can be compared as sets.
 */
final class Rr {

    final DomainName owner;
    final int type;

    /** Seconds, 0 to 2^31 - 1 (RFC 2181 8: a TTL with the top bit set is read as 0). */
    final long ttl;

    /** MX: the preference; otherwise 0. */
    final int preference;

    /** MX: the exchange; CNAME: the target; otherwise null. */
    final DomainName target;

    /** A and AAAA: the address as text; otherwise null. */
    final String address;

    /** Types not decoded: the record's data as received; otherwise null. */
    private final byte[] data;

    private Rr(
            DomainName owner,
            int type,
            long ttl,
            int preference,
            DomainName target,
            String address,
            byte[] data) {
        this.owner = owner;
        this.type = type;
        this.ttl = ttl;
        this.preference = preference;
        this.target = target;
        this.address = address;
        this.data = data;
    }

    static Rr mx(DomainName owner, long ttl, int preference, DomainName exchange) {
        return new Rr(owner, Type.MX, ttl, preference, exchange, null, null);
    }

    static Rr cname(DomainName owner, long ttl, DomainName target) {
        return new Rr(owner, Type.CNAME, ttl, 0, target, null, null);
    }

    /** An A (4 octets) or AAAA (16 octets) record. */
    static Rr address(DomainName owner, int type, long ttl, String address) {
        return new Rr(owner, type, ttl, 0, null, address, null);
    }

    static Rr other(DomainName owner, int type, long ttl, byte[] data) {
        return new Rr(owner, type, ttl, 0, null, null, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rr r
                && r.type == type
                && r.preference == preference
                && r.owner.equals(owner)
                && Objects.equals(r.target, target)
                && Objects.equals(r.address, address)
                && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return (owner.hashCode() * 31 + type) * 31
                + Objects.hashCode(target)
                + Objects.hashCode(address)
                + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        String rdata =
                type == Type.MX
                        ? preference + " " + target
                        : target != null
                                ? target.toString()
                                : address != null ? address : data.length + " octets";
        return owner + " " + ttl + " " + Type.string(type) + " " + rdata;
    }
}
