package io.mailroute.dns;

import java.util.Arrays;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Reads a DNS response (RFC 1035 4.1) straight into an {@link Answer}: the header's flags and
 * response code, the answer section's records, whether the authority section has an SOA (and its
 * negative TTL, RFC 2308 5) or an NS record, and the OPT record's payload size and extended
 * response code (RFC 6891 6.1.3). Nothing else is built: the question is skipped, authority records
 * are read only as far as their type and the SOA's last field, additional records other than OPT
 * (the glue a server adds for MX targets) are skipped without reading their names.
 *
 * <p>Why not dnsjava's {@code Message}: it builds every record of every section (names, rdata
 * objects, lists per section) and {@code Message.getRcode} walks the additional section on every
 * call; at 10,000 checks that was about a quarter of the engine's work per answer.
 *
 * <p>Malformed input fails with dnsjava's {@link WireParseException}, as its parser did: a section
 * running past the end, a label type other than a plain label or a pointer (RFC 6891 5 retired the
 * extended ones), a compression pointer that does not point back to an earlier octet (RFC 1035
 * 4.1.4; with the 255-octet limit on a name this also ends every pointer loop), a name over 255
 * octets, rdata that does not fill its RDLENGTH exactly. As in dnsjava, a message with TC set that
 * ends early is read as far as it goes: the caller asks again over TCP anyway.
 *
 * <p>Names are decoded at most once per message position: the question name, usually every answer's
 * owner by a pointer to offset 12, is the name the caller asked for when the question matches it
 * (no decoding at all), and other names that pointers lead to are remembered by offset.
 */
final class WireAnswer {

    private static final int HEADER = 12;
    private static final int MEMO = 8;

    private final byte[] m;
    private int pos;
    private final int[] memoAt = new int[MEMO];
    private final DomainName[] memoName = new DomainName[MEMO];
    private int memoSize;

    private WireAnswer(byte[] message) {
        this.m = message;
    }

    /**
     * Reads {@code message}. {@code asked}: the name our query asked for, if known; when the
     * message's question is that name it is taken as is, not decoded.
     */
    static Answer parse(byte[] message, DomainName asked) throws WireParseException {
        return new WireAnswer(message).read(asked);
    }

    private Answer read(DomainName asked) throws WireParseException {
        if (m.length < HEADER) {
            throw new WireParseException("message shorter than its header");
        }
        int flags = u16(2);
        boolean truncated = (flags & (0x8000 >>> Flags.TC)) != 0;
        int questions = u16(4);
        int answers = u16(6);
        int authorities = u16(8);
        int additionals = u16(10);
        Rr[] records = new Rr[0];
        boolean soa = false;
        boolean ns = false;
        long negative = Long.MAX_VALUE;
        int optPayload = -1;
        int extendedRcode = 0;
        pos = HEADER;
        try {
            for (int i = 0; i < questions; i++) {
                if (i == 0 && asked != null && asked.matchesAt(m, HEADER)) {
                    remember(HEADER, asked);
                    pos = HEADER + asked.wireLength();
                } else {
                    name();
                }
                need(4); // QTYPE, QCLASS
                pos += 4;
            }
            records = new Rr[answers];
            for (int i = 0; i < answers; i++) {
                records[i] = answerRecord();
            }
            for (int i = 0; i < authorities; i++) {
                skipName();
                int type = fixedFields();
                long ttl = ttl(u32(pos - 6));
                int end = pos + u16(pos - 2);
                if (type == Type.SOA) {
                    // MNAME, RNAME, then SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM (RFC 1035 3.3.13)
                    if (end - pos < 22) {
                        throw new WireParseException("SOA record too short");
                    }
                    soa = true;
                    negative = Math.min(negative, Math.min(ttl, ttl(u32(end - 4))));
                } else if (type == Type.NS) {
                    ns = true;
                }
                pos = end;
            }
            for (int i = 0; i < additionals; i++) {
                skipName();
                int type = fixedFields();
                if (type == Type.OPT && optPayload < 0) {
                    optPayload = u16(pos - 8); // the CLASS field
                    extendedRcode = m[pos - 6] & 0xff; // the TTL's first octet
                }
                pos += u16(pos - 2);
            }
        } catch (WireParseException e) {
            if (!truncated) {
                throw e;
            }
            records = complete(records);
        }
        int rcode = (extendedRcode << 4) | (flags & 0xf);
        return new Answer(
                rcode,
                records,
                soa,
                ns,
                (flags & (0x8000 >>> Flags.AA)) != 0,
                (flags & (0x8000 >>> Flags.RA)) != 0,
                truncated,
                optPayload,
                m.length,
                AnswerTtl.of(rcode, records, negative));
    }

    /** The records read before a truncated message ended. */
    private static Rr[] complete(Rr[] records) {
        int n = 0;
        while (n < records.length && records[n] != null) {
            n++;
        }
        return n == records.length ? records : Arrays.copyOf(records, n);
    }

    /** One answer record; its rdata must fill RDLENGTH exactly. */
    private Rr answerRecord() throws WireParseException {
        DomainName owner = name();
        int type = fixedFields();
        long ttl = ttl(u32(pos - 6));
        int length = u16(pos - 2);
        int end = pos + length;
        Rr record;
        if (type == Type.A || type == Type.AAAA) {
            if (length != (type == Type.A ? 4 : 16)) {
                throw new WireParseException("invalid address length");
            }
            record = Rr.address(owner, type, ttl, AddressText.of(m, pos, length));
            pos = end;
        } else if (type == Type.MX) {
            if (length < 3) {
                throw new WireParseException("MX record too short");
            }
            int preference = u16(pos);
            pos += 2;
            record = Rr.mx(owner, ttl, preference, name());
        } else if (type == Type.CNAME) {
            record = Rr.cname(owner, ttl, name());
        } else {
            record = Rr.other(owner, type, ttl, Arrays.copyOfRange(m, pos, end));
            pos = end;
        }
        if (pos != end) {
            throw new WireParseException("invalid record length");
        }
        return record;
    }

    /**
     * Reads TYPE, CLASS, TTL and RDLENGTH and checks that the rdata is in the message; returns the
     * type and leaves {@code pos} at the rdata, so the fields are at {@code pos - 10}.
     */
    private int fixedFields() throws WireParseException {
        need(10);
        int type = u16(pos);
        pos += 10;
        need(u16(pos - 2));
        return type;
    }

    /** RFC 2181 8: a TTL with the most significant bit set is treated as zero. */
    private static long ttl(long raw) {
        return raw > Integer.MAX_VALUE ? 0 : raw;
    }

    /** Moves past a name without decoding it (it is not kept). */
    private void skipName() throws WireParseException {
        while (true) {
            need(1);
            int b = m[pos] & 0xff;
            if ((b & 0xc0) == 0xc0) {
                need(2);
                pos += 2;
                return;
            }
            if ((b & 0xc0) != 0) {
                throw new WireParseException("unknown label type");
            }
            pos += 1 + b;
            if (b == 0) {
                return;
            }
        }
    }

    /**
     * Decodes the name at {@code pos} and moves past it. Two passes over the message: the first
     * checks the name and finds its length (or a remembered name it ends in), the second copies its
     * labels, lower-cased, into an array of exactly that length, which the name then owns.
     */
    private DomainName name() throws WireParseException {
        int start = pos;
        int p = pos;
        int length = 0; // octets of the labels read (the root label included)
        boolean jumped = false;
        DomainName suffix = null; // a remembered name that a pointer leads to
        while (true) {
            if (p >= m.length) {
                throw new WireParseException("name runs past the end of the message");
            }
            int b = m[p] & 0xff;
            if ((b & 0xc0) == 0xc0) {
                if (p + 1 >= m.length) {
                    throw new WireParseException("name runs past the end of the message");
                }
                int target = ((b & 0x3f) << 8) | (m[p + 1] & 0xff);
                if (target >= p) {
                    throw new WireParseException("compression pointer does not point back");
                }
                if (!jumped) {
                    pos = p + 2;
                    jumped = true;
                }
                DomainName known = recall(target);
                if (known != null) {
                    if (length == 0) {
                        return known; // no label before the pointer: the name itself
                    }
                    if (length + known.wireLength() > DomainName.MAX_WIRE) {
                        throw new WireParseException("name longer than 255 octets");
                    }
                    suffix = known;
                    break;
                }
                p = target;
                continue;
            }
            if ((b & 0xc0) != 0) {
                throw new WireParseException("unknown label type");
            }
            if (length + 1 + b > DomainName.MAX_WIRE || p + 1 + b > m.length) {
                throw new WireParseException(
                        length + 1 + b > DomainName.MAX_WIRE
                                ? "name longer than 255 octets"
                                : "name runs past the end of the message");
            }
            length += 1 + b;
            p += 1 + b;
            if (b == 0) {
                if (!jumped) {
                    pos = p;
                }
                break;
            }
        }
        byte[] wire = new byte[length + (suffix == null ? 0 : suffix.wireLength())];
        int q = start;
        int at = 0;
        while (at < length) {
            int b = m[q] & 0xff;
            if ((b & 0xc0) == 0xc0) {
                q = ((b & 0x3f) << 8) | (m[q + 1] & 0xff); // checked by the first pass
                continue;
            }
            wire[at++] = (byte) b;
            for (int i = 1; i <= b; i++) {
                wire[at++] = DomainName.lower(m[q + i]);
            }
            q += 1 + b;
        }
        if (suffix != null) {
            System.arraycopy(suffix.wire(), 0, wire, length, suffix.wireLength());
        }
        return named(start, DomainName.canonical(wire));
    }

    /** Remembers a name that starts with a label at {@code start}, for pointers to it. */
    private DomainName named(int start, DomainName name) {
        if ((m[start] & 0xc0) == 0) {
            remember(start, name);
        }
        return name;
    }

    private void remember(int at, DomainName name) {
        if (memoSize < MEMO) {
            memoAt[memoSize] = at;
            memoName[memoSize++] = name;
        }
    }

    private DomainName recall(int at) {
        for (int i = 0; i < memoSize; i++) {
            if (memoAt[i] == at) {
                return memoName[i];
            }
        }
        return null;
    }

    private void need(int octets) throws WireParseException {
        if (pos + octets > m.length) {
            throw new WireParseException("message ends inside a record");
        }
    }

    private int u16(int at) {
        return ((m[at] & 0xff) << 8) | (m[at + 1] & 0xff);
    }

    private long u32(int at) {
        return ((long) u16(at) << 16) | u16(at + 2);
    }
}
