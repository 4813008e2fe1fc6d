package io.mailroute.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * JMH (bench/jmh.sh): what the engine does with every answer that arrives, reading it from the wire
 * into what it keeps ({@link WireAnswer} into an {@link Answer}: response code, answer records,
 * authority facts, flags, cache TTL), for the three answers a domain's check gets most: an MX
 * answer with the exchange's addresses in the additional section (as knot and most servers add
 * them), an address answer, and an NXDOMAIN with the zone's SOA. Returned as Object: JMH's
 * generated code lives in another package, and {@link Answer} is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnswerJmh {

    private byte[] mxWithAddresses;
    private byte[] address;
    private byte[] nxdomain;

    @Setup
    public void answers() throws IOException {
        Name domain = Name.fromString("d1234.bench.test.");
        Name host = Name.fromString("mx12.bench.test.");
        Message mx = response(domain, Type.MX, Rcode.NOERROR);
        mx.addRecord(new MXRecord(domain, DClass.IN, 300, 10, host), Section.ANSWER);
        mx.addRecord(
                new ARecord(host, DClass.IN, 300, InetAddress.getByName("192.0.2.12")),
                Section.ADDITIONAL);
        mx.addRecord(
                new AAAARecord(host, DClass.IN, 300, InetAddress.getByName("2001:db8::12")),
                Section.ADDITIONAL);
        mxWithAddresses = mx.toWire();

        Message a = response(host, Type.A, Rcode.NOERROR);
        a.addRecord(
                new ARecord(host, DClass.IN, 300, InetAddress.getByName("192.0.2.12")),
                Section.ANSWER);
        address = a.toWire();

        Name zone = Name.fromString("bench.test.");
        Message nx = response(Name.fromString("nothere.bench.test."), Type.MX, Rcode.NXDOMAIN);
        nx.addRecord(
                new SOARecord(
                        zone,
                        DClass.IN,
                        300,
                        Name.fromString("ns.bench.test."),
                        Name.fromString("admin.bench.test."),
                        1,
                        3600,
                        600,
                        86400,
                        300),
                Section.AUTHORITY);
        nxdomain = nx.toWire();
    }

    /** An authoritative response to a query with EDNS (OPT, 1232 bytes), as our queries send. */
    private static Message response(Name name, int type, int rcode) {
        Message message = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        message.getHeader().setFlag(Flags.QR);
        message.getHeader().setFlag(Flags.AA);
        message.getHeader().setFlag(Flags.RA);
        message.getHeader().setRcode(rcode);
        message.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        return message;
    }

    @Benchmark
    public Object mxAnswerWithAddresses() throws IOException {
        return WireAnswer.parse(mxWithAddresses, null);
    }

    @Benchmark
    public Object addressAnswer() throws IOException {
        return WireAnswer.parse(address, null);
    }

    @Benchmark
    public Object nxdomainWithSoa() throws IOException {
        return WireAnswer.parse(nxdomain, null);
    }
}
