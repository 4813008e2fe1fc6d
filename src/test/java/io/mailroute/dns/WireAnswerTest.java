package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Pins {@link WireAnswer} (and the {@link DomainName}s it makes) to dnsjava's {@code Message}, the
 * parser it replaced: for responses dnsjava writes, the engine must see the same response code,
 * flags, answer records, authority facts, OPT payload and cache TTL as it saw through dnsjava; for
 * broken input it must fail with dnsjava's {@link WireParseException} and nothing else (the
 * transport treats that exception as "malformed answer"; anything else would escape as a bug).
 *
 * <p>Generated cases are reproducible: case n of each test draws from {@link #random(int, int)},
 * seeded from {@link #SEED}, and failures name the case and show the message. jqwik is not a
 * dependency of this project, hence plain loops.
 */
class WireAnswerTest {

    private static final long SEED = 0x5EED_0D45L;

    /** Messages compared whole with dnsjava (each parsed three times: no asked, two asked). */
    private static final int MESSAGES = 2_000;

    /** Messages whose every prefix is parsed (without TC, then with TC). */
    private static final int PREFIX_MESSAGES = 150;

    /** Messages corrupted at random, and corruptions of each. */
    private static final int CORRUPTED_MESSAGES = 300;

    private static final int CORRUPTIONS = 40;

    private static final int HEADER = 12;

    /**
     * The generator for case {@code n} of test {@code test}. The seed is scrambled (SplitMix64's
     * finalizer): java.util.Random's first draws for neighbouring seeds are nearly the same.
     */
    private static Random random(int test, int n) {
        long z = SEED + ((long) test << 32) + n;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return new Random(z ^ (z >>> 31));
    }

    // ------------------------------------------------------------------------------------------
    // 1. Agreement with dnsjava on generated responses

    /**
     * Protects: for every response a server can send (any mix of flags, response codes including
     * OPT-extended ones, A/AAAA/MX/CNAME/TXT answers with mixed-case compressed names, SOA/NS
     * authority, glue and OPT), the engine classifies exactly what dnsjava would have shown it,
     * whether or not it passes the name it asked for.
     */
    @Test
    void generatedResponsesReadAsDnsjavaReadsThem() throws Exception {
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < MESSAGES; i++) {
            Random random = random(1, i);
            Message sent = generate(random, random.nextInt(8) == 0, seen);
            byte[] wire = sent.toWire();
            Message reference = new Message(wire);
            String what = "case " + i + ":\n" + reference;
            Name question = reference.getQuestion().getName();
            // the name as the user typed it (mixed case, escapes as dnsjava shows them) and
            // lower-cased: both become the same DomainName, through different paths
            DomainName askedAsSent = DnsNames.absolute(question.toString());
            DomainName askedLower = DnsNames.absolute(question.toString().toLowerCase(Locale.ROOT));

            assertAgrees(WireAnswer.parse(wire, null), reference, wire.length, what);
            for (DomainName asked : List.of(askedAsSent, askedLower)) {
                Answer answer = WireAnswer.parse(wire, asked);
                assertAgrees(answer, reference, wire.length, what + "\nasked " + asked);
                assertAskedIsShared(answer, asked, what);
            }
        }
        // the generator must keep producing what these cases claim to cover
        assertThat(seen)
                .as("features generated")
                .containsKeys(
                        "AA",
                        "RA",
                        "TC",
                        "NOERROR",
                        "NXDOMAIN",
                        "SERVFAIL",
                        "REFUSED",
                        "extended rcode",
                        "A",
                        "AAAA",
                        "AAAA IPv4-mapped",
                        "MX",
                        "MX null",
                        "CNAME",
                        "TXT",
                        "SOA",
                        "SOA minimum top bit",
                        "NS",
                        "glue",
                        "OPT",
                        "empty answer",
                        "escaped octet",
                        "long name");
    }

    /**
     * Protects: the engine never decodes its own question again; owners and targets compressed to
     * the question (offset 12) are the caller's instance, so comparing them is a reference check.
     */
    private static void assertAskedIsShared(Answer answer, DomainName asked, String what) {
        for (Rr rr : answer.records) {
            if (rr.owner.equals(asked)) {
                assertThat(rr.owner).as(what + "\nowner of " + rr).isSameAs(asked);
            }
            if (asked.equals(rr.target)) {
                assertThat(rr.target).as(what + "\ntarget of " + rr).isSameAs(asked);
            }
        }
    }

    /** {@code answer}, read from {@code length} octets, says what dnsjava read in them. */
    private static void assertAgrees(Answer answer, Message reference, int length, String what) {
        assertThat(answer.rcode).as(what + "\nrcode").isEqualTo(reference.getRcode());
        assertThat(answer.authoritative)
                .as(what + "\nAA")
                .isEqualTo(reference.getHeader().getFlag(Flags.AA));
        assertThat(answer.recursionAvailable)
                .as(what + "\nRA")
                .isEqualTo(reference.getHeader().getFlag(Flags.RA));
        assertThat(answer.truncated)
                .as(what + "\nTC")
                .isEqualTo(reference.getHeader().getFlag(Flags.TC));
        List<Record> records = reference.getSection(Section.ANSWER);
        assertThat(answer.records).as(what + "\nanswer records").hasSize(records.size());
        for (int j = 0; j < records.size(); j++) {
            assertRecord(answer.records[j], records.get(j), what + "\nanswer record " + j);
        }
        List<Record> authority = reference.getSection(Section.AUTHORITY);
        assertThat(answer.soaInAuthority)
                .as(what + "\nSOA in authority")
                .isEqualTo(authority.stream().anyMatch(r -> r.getType() == Type.SOA));
        assertThat(answer.nsInAuthority)
                .as(what + "\nNS in authority")
                .isEqualTo(authority.stream().anyMatch(r -> r.getType() == Type.NS));
        OPTRecord opt = reference.getOPT();
        assertThat(answer.optPayload)
                .as(what + "\nOPT payload")
                .isEqualTo(opt == null ? -1 : opt.getPayloadSize());
        assertThat(answer.bytes).as(what + "\nbytes").isEqualTo(length);
        assertThat(answer.ttl).as(what + "\ncache TTL").isEqualTo(cacheTtl(reference));
    }

    /** One answer record against dnsjava's reading of it. */
    private static void assertRecord(Rr rr, Record record, String what) {
        what = what + ": " + record + "\nread as " + rr;
        assertThat(rr.type).as(what + "\ntype").isEqualTo(record.getType());
        assertThat(rr.owner.text()).as(what + "\nowner").isEqualTo(display(record.getName()));
        assertThat(rr.owner).as(what + "\nowner").isEqualTo(domainName(record.getName()));
        assertThat(rr.ttl).as(what + "\nTTL").isEqualTo(record.getTTL());
        if (record instanceof MXRecord mx) {
            assertThat(rr.preference).as(what + "\npreference").isEqualTo(mx.getPriority());
            assertThat(rr.target.text()).as(what + "\nexchange").isEqualTo(display(mx.getTarget()));
            assertThat(rr)
                    .as(what)
                    .isEqualTo(Rr.mx(rr.owner, 0, mx.getPriority(), domainName(mx.getTarget())));
        } else if (record instanceof CNAMERecord cname) {
            assertThat(rr.target.text())
                    .as(what + "\ntarget")
                    .isEqualTo(display(cname.getTarget()));
            assertThat(rr).as(what).isEqualTo(Rr.cname(rr.owner, 0, domainName(cname.getTarget())));
        } else if (record instanceof ARecord a) {
            assertThat(rr.address).as(what + "\naddress").isEqualTo(AddressText.of(a.getAddress()));
        } else if (record instanceof AAAARecord aaaa) {
            InetAddress address = aaaa.getAddress();
            if (address instanceof Inet4Address) {
                // ::ffff:a.b.c.d: Java makes it an Inet4Address; the engine keeps the record's
                // IPv6 form (what an AAAA query asked for), in RFC 5952 groups
                byte[] v4 = address.getAddress();
                assertThat(rr.address)
                        .as(what + "\nIPv4-mapped address")
                        .isEqualTo(
                                String.format(
                                        "::ffff:%x:%x",
                                        ((v4[0] & 0xff) << 8) | (v4[1] & 0xff),
                                        ((v4[2] & 0xff) << 8) | (v4[3] & 0xff)));
            } else {
                assertThat(rr.address).as(what + "\naddress").isEqualTo(AddressText.of(address));
            }
        } else {
            assertThat(rr.target).as(what).isNull();
            assertThat(rr.address).as(what).isNull();
            // raw rdata: equals compares it byte for byte (TXT has no names to canonicalize)
            assertThat(rr)
                    .as(what + "\nrdata")
                    .isEqualTo(Rr.other(rr.owner, rr.type, 0, record.rdataToWireCanonical()));
        }
    }

    /**
     * The cache TTL the engine must derive, from dnsjava's records: -1 for errors; the smallest
     * answer TTL; the SOA's negative TTL min(TTL, MINIMUM) (RFC 2308 5) for empty answers and as a
     * cap for others; -1 for an empty answer without SOA. A MINIMUM with the top bit set counts as
     * 0, as a TTL would (RFC 2181 8).
     */
    private static long cacheTtl(Message reference) {
        int rcode = reference.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return -1;
        }
        long negative = Long.MAX_VALUE;
        for (Record r : reference.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                long minimum = soa.getMinimum() > Integer.MAX_VALUE ? 0 : soa.getMinimum();
                negative = Math.min(negative, Math.min(soa.getTTL(), minimum));
            }
        }
        List<Record> answers = reference.getSection(Section.ANSWER);
        if (answers.isEmpty()) {
            return negative == Long.MAX_VALUE ? -1 : negative;
        }
        long positive = answers.stream().mapToLong(Record::getTTL).min().getAsLong();
        return Math.min(positive, negative);
    }

    private static String display(Name name) {
        return name.toString(true).toLowerCase(Locale.ROOT);
    }

    private static DomainName domainName(Name name) {
        byte[] wire = name.toWireCanonical();
        return DomainName.fromWire(wire, 0, wire.length);
    }

    // ------------------------------------------------------------------------------------------
    // 2. Malformed input: prefixes and corruptions of generated messages

    /**
     * Protects: a response cut short (a lost or clipped UDP datagram) without TC is rejected as
     * malformed, never half-read and never with an unexpected exception: every proper prefix of a
     * message cuts the question or a record its header counts, so every one must throw
     * WireParseException, as dnsjava does.
     */
    @Test
    void everyPrefixOfAMessageWithoutTcIsRejected() throws Exception {
        long prefixes = 0;
        for (int i = 0; i < PREFIX_MESSAGES; i++) {
            Random random = random(2, i);
            byte[] wire = generate(random, false, new TreeMap<>()).toWire();
            Message reference = new Message(wire);
            DomainName asked = domainName(reference.getQuestion().getName());
            for (int length = 0; length < wire.length; length++) {
                byte[] prefix = Arrays.copyOf(wire, length);
                String what =
                        "case "
                                + i
                                + " cut at "
                                + length
                                + " of "
                                + wire.length
                                + ":\n"
                                + reference;
                Message dnsjava = dnsjavaOrNull(prefix);
                for (DomainName a : Arrays.asList(null, asked)) {
                    Throwable thrown = catchThrowable(() -> WireAnswer.parse(prefix, a));
                    assertThat(thrown).as(what).isInstanceOf(WireParseException.class);
                }
                assertThat(dnsjava).as(what + "\ndnsjava read it").isNull();
                prefixes++;
            }
        }
        assertThat(prefixes).isGreaterThan(PREFIX_MESSAGES * 50L);
    }

    /**
     * Protects: a response with TC cut short is read as far as it goes (the engine then asks over
     * TCP, but uses the flags and what came whole, as dnsjava did): past the header no prefix
     * throws, the answer records read so far are kept (the ones dnsjava keeps, growing with the
     * prefix, each as in the whole message), and shorter than a header it is malformed.
     */
    @Test
    void prefixesOfAMessageWithTcAreReadAsFarAsTheyGo() throws Exception {
        for (int i = 0; i < PREFIX_MESSAGES; i++) {
            Random random = random(3, i);
            byte[] wire = generate(random, true, new TreeMap<>()).toWire();
            Answer whole = WireAnswer.parse(wire, null);
            int kept = 0;
            for (int length = 0; length < wire.length; length++) {
                byte[] prefix = Arrays.copyOf(wire, length);
                String what = "case " + i + " cut at " + length + " of " + wire.length;
                if (length < HEADER) {
                    assertThatThrownBy(() -> WireAnswer.parse(prefix, null))
                            .as(what)
                            .isInstanceOf(WireParseException.class);
                    continue;
                }
                Message reference = new Message(prefix);
                what = what + ":\n" + reference;
                Answer answer = WireAnswer.parse(prefix, null);
                assertAgrees(answer, reference, length, what);
                assertThat(answer.records.length)
                        .as(what + "\nrecords kept")
                        .isGreaterThanOrEqualTo(kept);
                kept = answer.records.length;
                for (int j = 0; j < kept; j++) {
                    assertThat(answer.records[j]).as(what).isEqualTo(whole.records[j]);
                    assertThat(answer.records[j].ttl).as(what).isEqualTo(whole.records[j].ttl);
                }
            }
        }
    }

    /**
     * Protects: whatever bytes arrive (a corrupted datagram, a hostile server), reading them ends
     * in an Answer or a WireParseException, nothing else; where dnsjava reads the message too, the
     * answer section and response code agree (authority and additional names are skipped, not
     * checked, by design, so a broken name there is not compared).
     */
    @Test
    void corruptedMessagesFailOnlyWithWireParseException() throws Exception {
        int bothRead = 0;
        int bothRejected = 0;
        List<String> onlyWeRejected = new ArrayList<>();
        for (int i = 0; i < CORRUPTED_MESSAGES; i++) {
            Random random = random(4, i);
            byte[] wire = generate(random, random.nextInt(4) == 0, new TreeMap<>()).toWire();
            for (int c = 0; c < CORRUPTIONS; c++) {
                byte[] bad = corrupt(wire, random);
                String what = "case " + i + " corruption " + c + ": " + hex(bad);
                Message dnsjava = dnsjavaOrNull(bad);
                Answer answer;
                try {
                    answer = WireAnswer.parse(bad, null);
                } catch (WireParseException e) {
                    if (dnsjava == null) {
                        bothRejected++;
                    } else {
                        onlyWeRejected.add(what + ": " + e.getMessage());
                    }
                    continue;
                } catch (RuntimeException e) {
                    throw new AssertionError(what, e);
                }
                if (dnsjava == null) {
                    continue;
                }
                bothRead++;
                List<Record> records = dnsjava.getSection(Section.ANSWER);
                if (readWhole(dnsjava)) {
                    assertThat(answer.rcode).as(what).isEqualTo(dnsjava.getRcode());
                    assertThat(answer.records).as(what).hasSize(records.size());
                } else {
                    // with TC dnsjava stops at the first record it cannot read, and it checks the
                    // rdata of every type (a TXT's strings, say); here rdata of types the engine
                    // does not decode is kept raw, unchecked, and additional records are skipped,
                    // so reading may go on past such a record (never past one the engine
                    // decodes), and an OPT record past that point is read here, not by dnsjava:
                    // the response codes may differ
                    assertThat(answer.truncated).as(what).isTrue();
                    assertThat(answer.records.length)
                            .as(what)
                            .isGreaterThanOrEqualTo(records.size());
                    if (answer.records.length > records.size()) {
                        Rr unread = answer.records[records.size()];
                        assertThat(unread.type)
                                .as(what + "\nread where dnsjava stopped: " + unread)
                                .isNotIn(Type.A, Type.AAAA, Type.MX, Type.CNAME);
                    }
                }
                for (int j = 0; j < records.size(); j++) {
                    Record r = records.get(j);
                    Rr rr = answer.records[j];
                    assertThat(rr.type).as(what).isEqualTo(r.getType());
                    assertThat(rr.owner).as(what).isEqualTo(domainName(r.getName()));
                    assertThat(rr.ttl)
                            .as(what)
                            .isEqualTo(r.getTTL() > Integer.MAX_VALUE ? 0 : r.getTTL());
                    if (r instanceof MXRecord mx) {
                        assertThat(rr.preference).as(what).isEqualTo(mx.getPriority());
                        assertThat(rr.target).as(what).isEqualTo(domainName(mx.getTarget()));
                    } else if (r instanceof CNAMERecord cname) {
                        assertThat(rr.target).as(what).isEqualTo(domainName(cname.getTarget()));
                    } else if (r instanceof ARecord a) {
                        assertThat(rr.address).as(what).isEqualTo(AddressText.of(a.getAddress()));
                    }
                }
            }
        }
        // both outcomes must actually occur, or the corruption is too mild or too wild to test
        assertThat(bothRead).isGreaterThan(100);
        assertThat(bothRejected).isGreaterThan(100);
        // a message dnsjava reads must not become a malformed answer
        assertThat(onlyWeRejected).as("rejected here, read by dnsjava").isEmpty();
    }

    /**
     * A copy of {@code wire} with one to three octets changed, biased toward name and length
     * octets.
     */
    private static byte[] corrupt(byte[] wire, Random random) {
        byte[] bad = wire.clone();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int at = HEADER + random.nextInt(wire.length - HEADER);
            bad[at] =
                    switch (random.nextInt(6)) {
                        case 0 -> (byte) 0xc0; // a pointer, to wherever the next octet says
                        case 1 -> (byte) (0xc0 | random.nextInt(0x40));
                        case 2 ->
                                (byte) (random.nextBoolean() ? 0x40 : 0x80); // retired label types
                        case 3 -> (byte) random.nextInt(64); // a label length
                        case 4 -> (byte) (bad[at] + (random.nextBoolean() ? 1 : -1));
                        default -> (byte) random.nextInt(256);
                    };
        }
        if (random.nextInt(8) == 0) {
            // and a section count off by one
            int count = 4 + 2 * random.nextInt(4);
            bad[count + 1] += (byte) (random.nextBoolean() ? 1 : -1);
        }
        return bad;
    }

    /** Whether dnsjava read every record the header counts (with TC it may stop early). */
    private static boolean readWhole(Message message) {
        for (int section = 0; section < 4; section++) {
            if (message.getSection(section).size() != message.getHeader().getCount(section)) {
                return false;
            }
        }
        return true;
    }

    private static Message dnsjavaOrNull(byte[] wire) {
        try {
            return new Message(wire);
        } catch (Exception e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // 3. Hand-made wire: the RFC 1035 rules a hostile or broken server can break

    /**
     * Protects: a compression pointer must point back (RFC 1035 4.1.4); one pointing at itself or
     * forward would make the reader loop or read what is not yet a name.
     */
    @Test
    void pointersThatDoNotPointBackAreRejected() throws Exception {
        // question name: a pointer to itself
        Wire self = Wire.response(0, 1, 0, 0, 0).pointer(HEADER).u16(Type.A).u16(DClass.IN);
        assertRejected(self.bytes(), "question pointing at itself");
        // question name: a pointer to the root label just after it
        Wire forward =
                Wire.response(0, 1, 0, 0, 0).pointer(HEADER + 2).u8(0).u16(Type.A).u16(DClass.IN);
        assertRejected(forward.bytes(), "question pointing forward");

        // answer owner pointing at itself, and forward to its own rdata (which holds a root label)
        Wire owner = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        owner.pointer(owner.at()).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(0, 1, 2, 3);
        assertRejected(owner.bytes(), "owner pointing at itself");
        Wire ownerForward = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        int rdata = ownerForward.at() + 2 + 10;
        ownerForward.pointer(rdata).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(0, 1, 2, 3);
        assertRejected(ownerForward.bytes(), "owner pointing forward");

        // MX exchange pointing at itself
        Wire mx = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        mx.pointer(HEADER).u16(Type.MX).u16(DClass.IN).u32(60).u16(4).u16(10);
        mx.pointer(mx.at());
        assertRejected(mx.bytes(), "exchange pointing at itself");
    }

    /**
     * Protects: pointers that lead back to a label before themselves can still loop forever (RFC
     * 1035 4.1.4 forbids only forward pointers); the 255-octet limit (RFC 1035 2.3.4) must end the
     * walk, with WireParseException.
     */
    @Test
    void pointerLoopsEndInWireParseException() throws Exception {
        // at 12: a 3-octet label (x, 0xc0, 0x0c) ; at 16: a pointer to 14, which is the label's
        // second and third octet: a pointer back to 12. 16 -> 14 -> 12 -> label -> 16 -> ...
        Wire twoPointers =
                Wire.response(0, 1, 0, 0, 0).u8(3, 'x', 0xc0, HEADER).pointer(HEADER + 2);
        twoPointers.u16(Type.A).u16(DClass.IN);
        assertRejected(twoPointers.bytes(), "loop through two pointers and a label");

        // the same loop in an answer owner, after a question that decodes fine
        Wire inAnswer = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        int at = inAnswer.at();
        inAnswer.u8(3, 'x', 0xc0, at).pointer(at + 2);
        inAnswer.u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
        assertRejected(inAnswer.bytes(), "loop in an owner");

        // a label followed by a pointer to itself: a name that grows by 2 octets a turn
        Wire oneLabel =
                Wire.response(0, 1, 0, 0, 0).label("a").pointer(HEADER).u16(Type.A).u16(DClass.IN);
        assertRejected(oneLabel.bytes(), "label and pointer to it");
    }

    /**
     * Protects: label types 0x40 (EDNS0 extended labels, retired by RFC 6891 5) and 0x80 (reserved)
     * are not names; wherever a name is read or skipped they are malformed.
     */
    @Test
    void extendedAndReservedLabelTypesAreRejected() throws Exception {
        for (int type : new int[] {0x40, 0x80, 0x41, 0xbf}) {
            String t = String.format("label type 0x%02x", type);
            // the octet is followed by as many octets as a plain label of that length would hold
            // and a root label, so a reader that took it for a length would read a whole name
            byte[] name = badName(type);

            Wire inQuestion = Wire.response(0, 1, 0, 0, 0).label("mail").u8(name);
            assertRejected(inQuestion.u16(Type.MX).u16(DClass.IN).bytes(), t + " in the question");

            Wire inOwner = question(Wire.response(0, 1, 1, 0, 0), "example.com");
            inOwner.u8(name).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
            assertRejected(inOwner.bytes(), t + " in an owner");

            Wire inExchange = question(Wire.response(0, 1, 1, 0, 0), "example.com");
            inExchange.pointer(HEADER).u16(Type.MX).u16(DClass.IN).u32(60);
            inExchange.u16(2 + name.length).u16(10).u8(name);
            assertRejected(inExchange.bytes(), t + " in an exchange");

            Wire inAuthority = question(Wire.response(0, 1, 0, 1, 0), "example.com");
            inAuthority.u8(name).u16(Type.NS).u16(DClass.IN).u32(60).u16(2).pointer(HEADER);
            assertRejected(inAuthority.bytes(), t + " in an authority owner");

            Wire inAdditional = question(Wire.response(0, 1, 0, 0, 1), "example.com");
            inAdditional.u8(name).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
            assertRejected(inAdditional.bytes(), t + " in an additional owner");
        }
    }

    /** {@code type}, then that many octets of 'x', then a root label. */
    private static byte[] badName(int type) {
        byte[] name = new byte[type + 2];
        Arrays.fill(name, (byte) 'x');
        name[0] = (byte) type;
        name[type + 1] = 0;
        return name;
    }

    /**
     * Protects: RFC 1035 2.3.4's limit of 255 octets per name, at the boundary, however the name is
     * put together: written out, through a pointer to a name already read (the question), and
     * through a pointer into the middle of one.
     */
    @Test
    void namesOf255OctetsAreReadAnd256Rejected() throws Exception {
        String a = "a".repeat(63);
        String b = "b".repeat(63);
        String c = "c".repeat(63);
        String question = a + "." + b + "." + c; // 193 octets on the wire
        for (int octets : new int[] {254, 255, 256}) {
            int extra = octets - 193; // 61 or 62 after a 1-octet length: 255 or 256
            String first = "d".repeat(extra - 1);
            String expected = first + "." + question;
            boolean fits = octets <= 255;

            // written out (the last label sized to land on the length)
            String spelled = a + "." + b + "." + c + "." + "e".repeat(octets - 193 - 1);
            Wire plain = question(Wire.response(0, 1, 1, 0, 0), "example.com");
            plain.name(spelled).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
            assertLength(plain.bytes(), null, spelled, fits, octets + " octets written out");

            // a label, then a pointer to the question
            Wire toQuestion = question(Wire.response(0, 1, 1, 0, 0), question);
            toQuestion
                    .label(first)
                    .pointer(HEADER)
                    .u16(Type.A)
                    .u16(DClass.IN)
                    .u32(60)
                    .u16(4)
                    .u8(192, 0, 2, 1);
            assertLength(
                    toQuestion.bytes(), null, expected, fits, octets + " octets via the question");
            DomainName asked = DnsNames.absolute(question);
            assertLength(
                    toQuestion.bytes(),
                    asked,
                    expected,
                    fits,
                    octets + " octets via the asked name");

            // two labels, then a pointer to the question's second label (decoded, not recalled)
            String tail = b + "." + c; // 129 octets
            String head1 = "f".repeat(63);
            String head2 = "g".repeat(octets - 129 - 64 - 1);
            Wire toMiddle = question(Wire.response(0, 1, 1, 0, 0), question);
            toMiddle.label(head1).label(head2).pointer(HEADER + 64);
            toMiddle.u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
            assertLength(
                    toMiddle.bytes(),
                    null,
                    head1 + "." + head2 + "." + tail,
                    fits,
                    octets + " octets via the middle of the question");
        }
        // and in the question itself, where the asked name is compared rather than decoded
        String longest = ("x".repeat(63) + ".").repeat(3) + "y".repeat(61); // 255 octets
        Wire q = Wire.response(0, 1, 0, 0, 0).name(longest).u16(Type.A).u16(DClass.IN);
        assertThat(WireAnswer.parse(q.bytes(), null).records).isEmpty();
        assertThat(WireAnswer.parse(q.bytes(), DnsNames.absolute(longest)).records).isEmpty();
        Wire tooLong = Wire.response(0, 1, 0, 0, 0).name(longest + "y").u16(Type.A).u16(DClass.IN);
        assertRejected(tooLong.bytes(), "256-octet question");
    }

    private static void assertLength(
            byte[] wire, DomainName asked, String owner, boolean fits, String what)
            throws Exception {
        if (!fits) {
            assertThatThrownBy(() -> WireAnswer.parse(wire, asked))
                    .as(what + " (asked " + asked + ")")
                    .isInstanceOf(WireParseException.class);
            assertRejected(wire, what);
            return;
        }
        Answer answer = WireAnswer.parse(wire, asked);
        assertThat(answer.records).as(what).hasSize(1);
        assertThat(answer.records[0].owner.text()).as(what).isEqualTo(owner);
        assertThat(answer.records[0].owner).as(what).isEqualTo(DnsNames.absolute(owner));
        assertThat(display(new Message(wire).getSection(Section.ANSWER).get(0).getName()))
                .as(what + ": dnsjava")
                .isEqualTo(owner);
    }

    /**
     * Protects: rdata must fill RDLENGTH exactly; an address of 3 or 5 octets is not an address,
     * and an exchange that runs past (or stops short of) its RDLENGTH means the lengths lie.
     */
    @Test
    void rdataThatDoesNotFillItsLengthIsRejected() throws Exception {
        for (int length : new int[] {0, 3, 5}) {
            Wire a = question(Wire.response(0, 1, 1, 0, 0), "example.com");
            a.pointer(HEADER).u16(Type.A).u16(DClass.IN).u32(60).u16(length);
            for (int i = 0; i < length; i++) {
                a.u8(i + 1);
            }
            assertRejected(a.bytes(), "A with RDLENGTH " + length);
        }
        for (int length : new int[] {4, 15, 17}) {
            Wire aaaa = question(Wire.response(0, 1, 1, 0, 0), "example.com");
            aaaa.pointer(HEADER)
                    .u16(Type.AAAA)
                    .u16(DClass.IN)
                    .u32(60)
                    .u16(length)
                    .u8(new int[length]);
            assertRejected(aaaa.bytes(), "AAAA with RDLENGTH " + length);
        }

        // MX 10 mx.example. is 2 + 12 octets; RDLENGTH 13 cuts the exchange: the reader runs past
        // it into the next record
        Wire past = question(Wire.response(0, 1, 2, 0, 0), "example.com");
        past.pointer(HEADER).u16(Type.MX).u16(DClass.IN).u32(60).u16(13).u16(10).name("mx.example");
        past.pointer(HEADER).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
        assertRejected(past.bytes(), "exchange past RDLENGTH");
        // ... and past the end of the message
        Wire pastEnd = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        pastEnd.pointer(HEADER).u16(Type.MX).u16(DClass.IN).u32(60).u16(3).u16(10).u8(2, 'm', 'x');
        assertRejected(pastEnd.bytes(), "exchange past the end");
        // RDLENGTH 15: one octet left over after the exchange
        Wire under = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        under.pointer(HEADER)
                .u16(Type.MX)
                .u16(DClass.IN)
                .u32(60)
                .u16(15)
                .u16(10)
                .name("mx.example")
                .u8(0);
        assertRejected(under.bytes(), "exchange short of RDLENGTH");
        // RDLENGTH 2: a preference and no exchange
        Wire noExchange = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        noExchange.pointer(HEADER).u16(Type.MX).u16(DClass.IN).u32(60).u16(2).u16(10);
        noExchange.pointer(HEADER).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
        assertRejected(noExchange.bytes(), "MX without exchange");
        // a CNAME whose target runs past its RDLENGTH
        Wire cname = question(Wire.response(0, 1, 2, 0, 0), "example.com");
        cname.pointer(HEADER).u16(Type.CNAME).u16(DClass.IN).u32(60).u16(2).name("mx.example");
        cname.pointer(HEADER).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
        assertRejected(cname.bytes(), "CNAME target past RDLENGTH");

        // the same lengths, told the truth, are read
        Wire fine = question(Wire.response(0, 1, 1, 0, 0), "example.com");
        fine.pointer(HEADER).u16(Type.MX).u16(DClass.IN).u32(60).u16(14).u16(10).name("MX.example");
        Rr mx = WireAnswer.parse(fine.bytes(), null).records[0];
        assertThat(mx.preference).isEqualTo(10);
        assertThat(mx.target.text()).isEqualTo("mx.example");
    }

    /**
     * Protects: RFC 2181 8: a TTL with the most significant bit set is read as 0, so a broken
     * server cannot make the engine cache an answer for 68 years; likewise an SOA MINIMUM that
     * serves as a negative TTL.
     */
    @Test
    void ttlsWithTheTopBitSetReadAsZero() throws Exception {
        long[][] cases = {
            {0x80000000L, 0}, {0xffffffffL, 0}, {0x7fffffffL, 0x7fffffffL}, {0, 0}, {300, 300}
        };
        for (long[] c : cases) {
            Wire w = question(Wire.response(0, 1, 1, 0, 0), "example.com");
            w.pointer(HEADER).u16(Type.A).u16(DClass.IN).u32(c[0]).u16(4).u8(192, 0, 2, 1);
            Answer answer = WireAnswer.parse(w.bytes(), null);
            String what = String.format("TTL 0x%08x", c[0]);
            assertThat(answer.records[0].ttl).as(what).isEqualTo(c[1]);
            assertThat(answer.ttl).as(what + ": cache TTL").isEqualTo(c[1]);
        }
        for (long[] c : cases) {
            // NXDOMAIN with an SOA of TTL 3600 and the given MINIMUM
            Wire w = question(Wire.response(Rcode.NXDOMAIN, 1, 0, 1, 0), "example.com");
            w.pointer(HEADER).u16(Type.SOA).u16(DClass.IN).u32(3600).u16(22).u8(0).u8(0);
            w.u32(1).u32(7200).u32(900).u32(1209600).u32(c[0]);
            Answer answer = WireAnswer.parse(w.bytes(), null);
            assertThat(answer.soaInAuthority).isTrue();
            assertThat(answer.ttl)
                    .as(String.format("SOA MINIMUM 0x%08x", c[0]))
                    .isEqualTo(Math.min(3600, c[1]));
        }
        // and the SOA's own TTL
        Wire w = question(Wire.response(Rcode.NXDOMAIN, 1, 0, 1, 0), "example.com");
        w.pointer(HEADER).u16(Type.SOA).u16(DClass.IN).u32(0x80000000L).u16(22).u8(0).u8(0);
        w.u32(1).u32(7200).u32(900).u32(1209600).u32(300);
        assertThat(WireAnswer.parse(w.bytes(), null).ttl).as("SOA TTL 0x80000000").isZero();
    }

    private static void assertRejected(byte[] wire, String what) {
        for (DomainName asked : Arrays.asList(null, DnsNames.absolute("example.com"))) {
            assertThatThrownBy(() -> WireAnswer.parse(wire, asked))
                    .as(what + " (asked " + asked + "): " + hex(wire))
                    .isInstanceOf(WireParseException.class);
        }
        // the reference rejects it too: these are the rules dnsjava applied
        assertThatThrownBy(() -> new Message(wire))
                .as(what + ": dnsjava")
                .isInstanceOf(WireParseException.class);
    }

    // ------------------------------------------------------------------------------------------
    // 4. The asked-name shortcut

    /**
     * Protects: when the question is the asked name (in any case), owners that point at it are the
     * caller's instance; a question that is not the asked name (a stale or spoofed reply, a suffix,
     * a longer name) is decoded from the message, never taken to be the asked name.
     */
    @Test
    void askedNameIsUsedOnlyWhenTheQuestionIsIt() throws Exception {
        Wire w = question(Wire.response(0, 1, 3, 0, 0), "Mail.Example.COM");
        w.pointer(HEADER).u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 1);
        w.name("MAIL.example.com").u16(Type.A).u16(DClass.IN).u32(60).u16(4).u8(192, 0, 2, 2);
        w.label("www")
                .pointer(HEADER)
                .u16(Type.CNAME)
                .u16(DClass.IN)
                .u32(60)
                .u16(2)
                .pointer(HEADER);
        byte[] wire = w.bytes();

        for (String text : List.of("mail.example.com", "MAIL.EXAMPLE.COM.", "Mail.Example.Com")) {
            DomainName asked = DnsNames.absolute(text);
            Answer answer = WireAnswer.parse(wire, asked);
            assertThat(answer.records[0].owner).as(text).isSameAs(asked);
            assertThat(answer.records[1].owner).as(text).isEqualTo(asked); // written out: decoded
            assertThat(answer.records[2].owner.text()).as(text).isEqualTo("www.mail.example.com");
            assertThat(answer.records[2].target).as(text).isSameAs(asked);
        }

        for (String other :
                List.of(
                        "other.example",
                        "example.com", // a suffix of the question
                        "mail.example.com.evil", // the question is a prefix of it
                        "mail.example.co",
                        "nail.example.com",
                        "mail-example.com")) {
            DomainName asked = DnsNames.absolute(other);
            Answer answer = WireAnswer.parse(wire, asked);
            for (Rr rr : answer.records) {
                assertThat(rr.owner).as(other).isNotSameAs(asked).isNotEqualTo(asked);
            }
            assertThat(answer.records[0].owner.text()).as(other).isEqualTo("mail.example.com");
            assertThat(answer.records[1].owner.text()).as(other).isEqualTo("mail.example.com");
            assertThat(answer.records[2].owner.text()).as(other).isEqualTo("www.mail.example.com");
            assertThat(answer.records[2].target.text()).as(other).isEqualTo("mail.example.com");
        }
    }

    // ------------------------------------------------------------------------------------------
    // 5. DomainName from user text

    /**
     * Protects: a route's domain typed as a host name becomes exactly the name dnsjava's parser
     * made of it (canonical wire), so the query and the cache key are unchanged by the fast path.
     */
    @Test
    void plainNamesAgreeWithDnsjava() throws Exception {
        Random random = random(5, 0);
        int longest = 0;
        for (int i = 0; i < 5_000; i++) {
            String text = hostName(random, 1 + random.nextInt(i % 10 == 0 ? 253 : 40));
            DomainName name = DomainName.plain(text);
            byte[] expected = Name.fromString(text + ".").toWireCanonical();
            assertThat(name).as(text).isNotNull();
            assertThat(name.wire()).as(text).isEqualTo(expected);
            assertThat(name.wireLength()).as(text).isEqualTo(text.length() + 2);
            assertThat(name.text()).as(text).isEqualTo(text.toLowerCase(Locale.ROOT));
            assertThat(name)
                    .as(text)
                    .isEqualTo(DnsNames.absolute(text))
                    .isEqualTo(DnsNames.absolute(text + "."));
            longest = Math.max(longest, text.length());
        }
        assertThat(longest).as("longest name generated").isEqualTo(253);
    }

    /**
     * Protects: text that is not a plain host name gets null from {@code plain} (and so goes
     * through dnsjava's parser), never a wrong name.
     */
    @Test
    void namesThatAreNotPlainAreNotTakenAsPlain() {
        Random random = random(6, 0);
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String good = hostName(random, 20 + random.nextInt(200));
            int at = random.nextInt(good.length());
            bad.add(good.substring(0, at) + ".." + good.substring(at)); // an empty label
            bad.add(random.nextBoolean() ? "." + good : good + ".");
            String tooLongLabel = "x".repeat(64);
            bad.add(good.substring(0, at) + tooLongLabel.substring(0, 1) + "." + tooLongLabel);
            bad.add(
                    good
                            + "."
                            + good.substring(0, Math.min(good.length(), 63)).replace('.', 'z')
                            + "."
                            + hostName(random, 253));
            String outsideChars = " *@/\\\"()$;:,é\u0000\t";
            char outside = outsideChars.charAt(random.nextInt(outsideChars.length()));
            bad.add(good.substring(0, at) + outside + good.substring(at));
        }
        bad.addAll(List.of("", ".", "a.", ".a", "a..b", "x".repeat(64), "a." + "x".repeat(64)));
        bad.add(hostName(random, 253) + "a"); // 254 characters, every label fine
        bad.add(
                "a".repeat(63)
                        + "."
                        + "b".repeat(63)
                        + "."
                        + "c".repeat(63)
                        + "."
                        + "d".repeat(62));
        for (String text : bad) {
            assertThat(DomainName.plain(text)).as("'%s'", text).isNull();
        }
        // the boundary: 253 characters (255 octets) is plain
        String longest =
                "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
        assertThat(DomainName.plain(longest)).isNotNull();
    }

    /** Protects: names compare and hash without regard to ASCII case (RFC 4343), as cache keys. */
    @Test
    void namesAreEqualIgnoringAsciiCase() throws Exception {
        Random random = random(7, 0);
        for (int i = 0; i < 2_000; i++) {
            String text = hostName(random, 1 + random.nextInt(100));
            String other = recase(text, random);
            DomainName a = DomainName.plain(text);
            DomainName b = DomainName.plain(other);
            byte[] wire = Name.fromString(other + ".").toWire(); // case kept
            DomainName c = DomainName.fromWire(wire, 0, wire.length);
            assertThat(a)
                    .as(text + " / " + other)
                    .isEqualTo(b)
                    .isEqualTo(c)
                    .hasSameHashCodeAs(b)
                    .hasSameHashCodeAs(c);
            assertThat(b.text()).isEqualTo(a.text());
            assertThat(c.matchesAt(wire, 0)).isTrue();
            char last = Character.toLowerCase(text.charAt(text.length() - 1));
            String different = text.substring(0, text.length() - 1) + (last == 'x' ? "y" : "x");
            assertThat(DomainName.plain(different)).as(different).isNotEqualTo(a);
        }
        // letters only: other octets are not folded ('[' is 'Z' + 1, '{' is 'z' + 1)
        byte[] bracket = {1, '[', 0};
        byte[] brace = {1, '{', 0};
        assertThat(DomainName.fromWire(bracket, 0, 3))
                .isNotEqualTo(DomainName.fromWire(brace, 0, 3));
    }

    /** A valid plain host name of exactly {@code length} characters (1 to 253). */
    private static String hostName(Random random, int length) {
        StringBuilder sb = new StringBuilder(length);
        while (true) {
            int room = length - sb.length() - (sb.length() > 0 ? 1 : 0); // for the next label
            int max = Math.min(DomainName.MAX_LABEL, room);
            int label = Math.min(max, 1 + random.nextInt(random.nextInt(4) == 0 ? 63 : 12));
            if (room - label == 1) {
                label += label < max ? 1 : -1; // never leave room for a dot alone
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            for (int k = 0; k < label; k++) {
                sb.append(HOST_CHARS.charAt(random.nextInt(HOST_CHARS.length())));
            }
            if (label == room) {
                return sb.toString();
            }
        }
    }

    private static String recase(String text, Random random) {
        StringBuilder sb = new StringBuilder(text.length());
        for (char ch : text.toCharArray()) {
            sb.append(random.nextBoolean() ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Generated responses (dnsjava writes them; toWire compresses names, case-insensitively)

    private static final String HOST_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

    private static final int[] PAYLOADS = {0, 512, 1232, 1400, 4096, 65535};

    /**
     * A response dnsjava would write: random header flags and response code, a question, 0 to 6
     * answer records, SOA and NS authority, glue and an OPT record; names mostly the question's, in
     * random case. {@code seen} counts the features made.
     */
    private static Message generate(Random r, boolean truncated, Map<String, Integer> seen)
            throws Exception {
        Message m = new Message(r.nextInt(0x10000));
        m.getHeader().setFlag(Flags.QR);
        if (r.nextBoolean()) {
            m.getHeader().setFlag(Flags.RD);
        }
        if (r.nextBoolean()) {
            m.getHeader().setFlag(Flags.AA);
            count(seen, "AA");
        }
        if (r.nextBoolean()) {
            m.getHeader().setFlag(Flags.RA);
            count(seen, "RA");
        }
        if (truncated) {
            m.getHeader().setFlag(Flags.TC);
            count(seen, "TC");
        }
        int[] rcodes = {
            Rcode.NOERROR,
            Rcode.NOERROR,
            Rcode.NOERROR,
            Rcode.NXDOMAIN,
            Rcode.SERVFAIL,
            Rcode.REFUSED
        };
        int rcode = rcodes[r.nextInt(rcodes.length)];
        m.getHeader().setRcode(rcode);
        count(seen, Rcode.string(rcode));

        Name zone = name(r, 1 + r.nextInt(3), Name.root, seen);
        Name question =
                r.nextInt(6) == 0
                        ? zone
                        : r.nextInt(15) == 0 ? longName(r, zone, seen) : name(r, 1, zone, seen);
        List<Name> names = new ArrayList<>(List.of(question, question, question, zone));
        for (int k = r.nextInt(4); k > 0; k--) {
            names.add(name(r, 1, r.nextBoolean() ? zone : question, seen));
        }
        names.add(name(r, 1 + r.nextInt(3), Name.root, seen));
        if (r.nextInt(10) == 0) {
            names.add(longName(r, zone, seen));
        }
        int[] qtypes = {Type.MX, Type.A, Type.AAAA, Type.TXT};
        m.addRecord(
                Record.newRecord(recase(question, r), qtypes[r.nextInt(4)], DClass.IN),
                Section.QUESTION);

        int answers = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(6);
        if (answers == 0) {
            count(seen, "empty answer");
        }
        for (int k = 0; k < answers; k++) {
            m.addRecord(answer(r, recase(pick(r, names), r), names, seen), Section.ANSWER);
        }
        int authority = r.nextInt(4);
        for (int k = 0; k < authority; k++) {
            Name owner = recase(r.nextBoolean() ? zone : pick(r, names), r);
            if (r.nextBoolean()) {
                long minimum =
                        r.nextInt(10) == 0 ? 0x80000000L + r.nextInt(Integer.MAX_VALUE) : ttl(r);
                if (minimum > Integer.MAX_VALUE) {
                    count(seen, "SOA minimum top bit");
                }
                m.addRecord(
                        new SOARecord(
                                owner,
                                DClass.IN,
                                ttl(r),
                                recase(pick(r, names), r),
                                recase(pick(r, names), r),
                                r.nextInt() & 0xffffffffL,
                                r.nextInt() & 0xffffffffL,
                                r.nextInt() & 0xffffffffL,
                                r.nextInt() & 0xffffffffL,
                                minimum),
                        Section.AUTHORITY);
                count(seen, "SOA");
            } else {
                m.addRecord(
                        new NSRecord(owner, DClass.IN, ttl(r), recase(pick(r, names), r)),
                        Section.AUTHORITY);
                count(seen, "NS");
            }
        }
        List<Record> additional = new ArrayList<>();
        for (int k = r.nextInt(5); k > 0; k--) {
            Name owner = recase(pick(r, names), r);
            additional.add(
                    r.nextBoolean()
                            ? Record.newRecord(owner, Type.A, DClass.IN, ttl(r), bytes(r, 4))
                            : Record.newRecord(owner, Type.AAAA, DClass.IN, ttl(r), ipv6(r, seen)));
            count(seen, "glue");
        }
        boolean extended = r.nextInt(8) == 0;
        if (extended || r.nextBoolean()) {
            int payload =
                    r.nextInt(4) == 0 ? r.nextInt(0x10000) : PAYLOADS[r.nextInt(PAYLOADS.length)];
            int xrcode = extended ? 1 + r.nextInt(255) : 0;
            additional.add(
                    r.nextInt(additional.size() + 1),
                    new OPTRecord(payload, xrcode, 0, r.nextBoolean() ? 0x8000 : 0));
            count(seen, "OPT");
            if (extended) {
                count(seen, "extended rcode");
            }
        }
        for (Record record : additional) {
            m.addRecord(record, Section.ADDITIONAL);
        }
        return m;
    }

    private static Record answer(Random r, Name owner, List<Name> names, Map<String, Integer> seen)
            throws Exception {
        long ttl = ttl(r);
        return switch (r.nextInt(5)) {
            case 0 -> {
                count(seen, "A");
                yield Record.newRecord(owner, Type.A, DClass.IN, ttl, bytes(r, 4));
            }
            case 1 -> {
                count(seen, "AAAA");
                yield Record.newRecord(owner, Type.AAAA, DClass.IN, ttl, ipv6(r, seen));
            }
            case 2 -> {
                count(seen, "MX");
                Name exchange = Name.root;
                if (r.nextInt(8) == 0) {
                    count(seen, "MX null"); // RFC 7505: "0 ."
                } else {
                    exchange = recase(pick(r, names), r);
                }
                yield new MXRecord(
                        owner,
                        DClass.IN,
                        ttl,
                        r.nextInt(8) == 0 ? 0 : r.nextInt(0x10000),
                        exchange);
            }
            case 3 -> {
                count(seen, "CNAME");
                yield new CNAMERecord(owner, DClass.IN, ttl, recase(pick(r, names), r));
            }
            default -> {
                count(seen, "TXT");
                List<String> strings = new ArrayList<>();
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    byte[] text = new byte[r.nextInt(40)];
                    for (int j = 0; j < text.length; j++) {
                        // printable ASCII but the backslash, which dnsjava's constructor reads as
                        // an escape
                        byte b = (byte) (0x20 + r.nextInt(0x5f));
                        text[j] = b == '\\' ? (byte) '/' : b;
                    }
                    strings.add(new String(text, StandardCharsets.US_ASCII));
                }
                yield new TXTRecord(owner, DClass.IN, ttl, strings);
            }
        };
    }

    private static long ttl(Random r) {
        long[] common = {0, 1, 60, 300, 3600, 86400, 0x7fffffffL};
        return r.nextBoolean() ? common[r.nextInt(common.length)] : r.nextInt(1 << 24);
    }

    /** 16 octets, with runs of zero groups (RFC 5952 compression), sometimes ::ffff:a.b.c.d. */
    private static byte[] ipv6(Random r, Map<String, Integer> seen) {
        byte[] b = new byte[16];
        if (r.nextInt(10) == 0) {
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(bytes(r, 4), 0, b, 12, 4);
            count(seen, "AAAA IPv4-mapped");
            return b;
        }
        for (int g = 0; g < 8; g++) {
            if (r.nextInt(5) < 2) {
                continue;
            }
            int v = r.nextBoolean() ? r.nextInt(0x10000) : r.nextInt(0x100);
            b[2 * g] = (byte) (v >> 8);
            b[2 * g + 1] = (byte) v;
        }
        return b;
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /**
     * Up to {@code labels} random labels before {@code origin}, as many as fit in 255 octets; now
     * and then an escaped odd octet.
     */
    private static Name name(Random r, int labels, Name origin, Map<String, Integer> seen)
            throws Exception {
        int room = DomainName.MAX_WIRE - origin.length();
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < labels; k++) {
            int octets = Math.min(1 + r.nextInt(r.nextInt(6) == 0 ? 63 : 10), room - 1);
            if (octets < 1) {
                break;
            }
            if (k > 0) {
                text.append('.');
            }
            text.append(label(r, octets, seen));
            room -= octets + 1;
        }
        return text.length() == 0 ? origin : Name.fromString(text.toString(), origin);
    }

    /** A name of 200 to 255 octets ending in {@code origin}. */
    private static Name longName(Random r, Name origin, Map<String, Integer> seen)
            throws Exception {
        int remaining = 255 - r.nextInt(56) - origin.length();
        StringBuilder text = new StringBuilder();
        while (remaining >= 2) {
            int chunk = Math.min(64, remaining);
            if (remaining - chunk == 1) {
                chunk--;
            }
            if (text.length() > 0) {
                text.append('.');
            }
            text.append(label(r, chunk - 1, seen));
            remaining -= chunk;
        }
        count(seen, "long name");
        return text.length() == 0 ? origin : Name.fromString(text.toString(), origin);
    }

    private static String label(Random r, int octets, Map<String, Integer> seen) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < octets; k++) {
            if (r.nextInt(60) == 0) {
                sb.append(String.format("\\%03d", r.nextInt(256)));
                count(seen, "escaped octet");
            } else {
                sb.append(HOST_CHARS.charAt(r.nextInt(HOST_CHARS.length())));
            }
        }
        return sb.toString();
    }

    /** The same name with its letters in random case. */
    private static Name recase(Name name, Random r) throws Exception {
        return Name.fromString(recase(name.toString(), r));
    }

    private static Name pick(Random r, List<Name> names) {
        return names.get(r.nextInt(names.size()));
    }

    private static void count(Map<String, Integer> seen, String feature) {
        seen.merge(feature, 1, Integer::sum);
    }

    private static String hex(byte[] wire) {
        StringBuilder sb = new StringBuilder();
        for (byte b : wire) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Hand-made wire

    private static Wire question(Wire w, String name) {
        return w.name(name).u16(Type.A).u16(DClass.IN);
    }

    /** Writes a message octet by octet; names exactly as given (case kept, nothing compressed). */
    private static final class Wire {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        /**
         * A response header: QR, {@code rcode} (and any flag bits in it), and the section counts.
         */
        static Wire response(int flags, int questions, int answers, int authority, int additional) {
            return new Wire()
                    .u16(0x1234)
                    .u16(0x8000 | flags)
                    .u16(questions)
                    .u16(answers)
                    .u16(authority)
                    .u16(additional);
        }

        Wire u8(int... octets) {
            for (int b : octets) {
                out.write(b);
            }
            return this;
        }

        Wire u8(byte[] octets) {
            out.writeBytes(octets);
            return this;
        }

        Wire u16(int v) {
            return u8(v >> 8 & 0xff, v & 0xff);
        }

        Wire u32(long v) {
            return u16((int) (v >> 16 & 0xffff)).u16((int) (v & 0xffff));
        }

        Wire label(String label) {
            u8(label.length());
            for (char ch : label.toCharArray()) {
                u8(ch);
            }
            return this;
        }

        /** Dotted labels and the root label. */
        Wire name(String dotted) {
            for (String label : dotted.split("\\.")) {
                label(label);
            }
            return u8(0);
        }

        Wire pointer(int offset) {
            return u16(0xc000 | offset);
        }

        /** The offset the next octet goes to. */
        int at() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
