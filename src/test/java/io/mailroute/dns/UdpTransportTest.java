package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.FaultDnsServer.Forged;
import io.mailroute.dns.fixtures.StaticZone;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The pooled UDP transport accepts only the answer to the question it asked, from the server it
 * asked (RFC 5452 section 9.1): a datagram with another ID, another question or from another port
 * is ignored and the real answer that follows is used, without a retry. It loses nothing under
 * concurrency, with more queries than slots, and rotates its sockets.
 */
class UdpTransportTest {

    static final StaticZone ZONE =
            StaticZone.parse(
                    "forge.test",
                    """
      @        SOA  ns.forge.test. hostmaster.forge.test. 1 3600 600 86400 60
      @        MX   10 mx1
      mx1      A    192.0.2.1
      """);

    @Test
    void answerWithAnotherIdIsIgnored() throws Exception {
        assertForgeryIgnored(
                query -> {
                    Message forged = forgedAnswer(query, query.getQuestion().getName());
                    forged.getHeader().setID((query.getHeader().getID() + 1) & 0xffff);
                    return List.of(new Forged(forged, false));
                });
    }

    @Test
    void answerToAnotherQuestionIsIgnored() throws Exception {
        assertForgeryIgnored(
                query ->
                        List.of(
                                new Forged(
                                        forgedAnswer(query, Name.fromConstantString("evil.test.")),
                                        false)));
    }

    @Test
    void answerOfAnotherTypeIsIgnored() throws Exception {
        assertForgeryIgnored(
                query -> {
                    Message forged = forgedAnswer(query, query.getQuestion().getName());
                    forged.removeAllRecords(Section.QUESTION);
                    forged.addRecord(
                            Record.newRecord(query.getQuestion().getName(), Type.TXT, DClass.IN),
                            Section.QUESTION);
                    return List.of(new Forged(forged, false));
                });
    }

    @Test
    void answerFromAnotherPortIsIgnored() throws Exception {
        assertForgeryIgnored(
                query ->
                        List.of(
                                new Forged(
                                        forgedAnswer(query, query.getQuestion().getName()), true)));
    }

    @Test
    void questionsAreComparedWithoutRegardToCase() {
        byte[] query =
                Message.newQuery(
                                Record.newRecord(
                                        Name.fromConstantString("Mx1.Forge.test."),
                                        Type.A,
                                        DClass.IN))
                        .toWire();
        byte[] same =
                Message.newQuery(
                                Record.newRecord(
                                        Name.fromConstantString("mX1.fORGE.TEST."),
                                        Type.A,
                                        DClass.IN))
                        .toWire();
        byte[] other =
                Message.newQuery(
                                Record.newRecord(
                                        Name.fromConstantString("mx2.forge.test."),
                                        Type.A,
                                        DClass.IN))
                        .toWire();

        assertThat(UdpTransport.sameQuestion(query, ByteBuffer.wrap(same))).isTrue();
        assertThat(UdpTransport.sameQuestion(query, ByteBuffer.wrap(other))).isFalse();
    }

    @Test
    void lostAnswerIsAskedAgainAfterTheTimeout() throws Exception {
        Set<String> dropped = ConcurrentHashMap.newKeySet();
        FaultDnsServer.Behaviour dropFirst =
                (query, tcp) -> {
                    String key =
                            query.getQuestion().getName() + "/" + query.getQuestion().getType();
                    return !tcp && dropped.add(key) ? null : ZONE.answer(query);
                };
        try (FaultDnsServer server = FaultDnsServer.start(dropFirst, true);
                MxLookupService service = new MxLookupService(TestConfigs.fast(server.address()))) {
            MxReport report = service.check("forge.test");

            assertThat(report.classification()).isEqualTo(MxClassification.OK);
            assertThat(report.hosts())
                    .extracting(MxHostReport::addresses)
                    .containsExactly(List.of("192.0.2.1"));
            assertThat(server.received())
                    .filteredOn(r -> r.type().equals("MX"))
                    .as("asked again after the first answer was lost")
                    .hasSize(2);
        }
    }

    @Test
    void manyConcurrentQueriesOnFewSlotsAllGetTheirOwnAnswer() throws Exception {
        int n = 3000;
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(ZONE), false);
                UdpTransport transport = new UdpTransport(address(server), 2, 8, 200)) {
            List<Integer> portsBefore = transport.localPorts();
            List<Name> names = new ArrayList<>();
            List<CompletableFuture<byte[]>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // distinct questions, so that an answer given to the wrong query shows
                Name name = Name.fromString("h" + i + ".forge.test.");
                names.add(name);
                answers.add(
                        transport
                                .exchange(
                                        Message.newQuery(Record.newRecord(name, Type.A, DClass.IN))
                                                .toWire())
                                .orTimeout(10, TimeUnit.SECONDS));
            }
            for (int i = 0; i < n; i++) {
                Message answer = new Message(answers.get(i).get());
                assertThat(answer.getQuestion().getName()).isEqualTo(names.get(i));
            }
            assertThat(server.received()).as("each question sent once").hasSize(n);
            assertThat(transport.ignoredDatagrams()).isZero();
            Set<Integer> rotated = new HashSet<>(transport.localPorts());
            rotated.retainAll(portsBefore);
            assertThat(rotated).as("sockets replaced after 200 queries").isEmpty();
            assertThat(transport.receiveBufferGranted()).isPositive();
        }
    }

    @Test
    void timedOutQueryFreesItsSlot() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.silent(), false);
                UdpTransport transport = new UdpTransport(address(server), 1, 1, 1000)) {
            byte[] query = forgeMxQuery();
            for (int i = 0; i < 3; i++) {
                CompletableFuture<byte[]> f =
                        transport.exchange(query).orTimeout(100, TimeUnit.MILLISECONDS);
                assertThat(f).failsWithin(2, TimeUnit.SECONDS);
            }
            assertThat(server.received()).as("each query got the only slot in turn").hasSize(3);
        }
    }

    @Test
    void transportTimesOutQueriesItselfAndFreesTheirSlots() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.silent(), false);
                UdpTransport transport = new UdpTransport(address(server), 1, 1, 1000)) {
            byte[] query = forgeMxQuery();
            List<CompletableFuture<byte[]>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                // one slot: the second and third wait for it, and their time runs while they wait
                futures.add(transport.exchange(query, 100 * (i + 1)));
            }
            for (CompletableFuture<byte[]> f : futures) {
                assertThat(f)
                        .failsWithin(2, TimeUnit.SECONDS)
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("the last timeout counts from exchange()").isBetween(300L, 1500L);
            assertThat(server.received()).as("each query got the only slot in turn").hasSize(3);
            // idle again (nothing timed): a new timed query must still time out
            assertThat(transport.exchange(query, 50))
                    .failsWithin(2, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        }
    }

    @Test
    void serversAreAskedInTheirOwnAddressFamily() throws Exception {
        // sockets are opened in the server's family: IPv4 sockets for an IPv4 server (the kernel
        // lists them in /proc/net/udp; the JDK's default, an IPv6 socket sending to an
        // IPv4-mapped address, is listed in /proc/net/udp6), and an IPv6 server is still reached
        for (String host : new String[] {"::1", "127.0.0.1"}) {
            try (DatagramChannel server = DatagramChannel.open()) {
                server.bind(new InetSocketAddress(host, 0));
                InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
                CompletableFuture<InetSocketAddress> askedFrom =
                        CompletableFuture.supplyAsync(() -> answerOnce(server));
                try (UdpTransport transport = new UdpTransport(address)) {
                    byte[] answer =
                            transport.exchange(forgeMxQuery(), 2000).get(5, TimeUnit.SECONDS);

                    assertThat(answer[2] & 0x80).as("QR set: the server's answer").isNotZero();
                    assertThat(askedFrom.get(5, TimeUnit.SECONDS).getAddress())
                            .isEqualTo(address.getAddress());
                    boolean ipv4 = host.indexOf(':') < 0;
                    assertThat(udpPorts(ipv4 ? "udp" : "udp6"))
                            .as("the transport's sockets are of the server's family")
                            .containsAll(transport.localPorts());
                    assertThat(udpPorts(ipv4 ? "udp6" : "udp"))
                            .doesNotContainAnyElementsOf(transport.localPorts());
                }
            }
        }
    }

    /** Local ports of this machine's UDP sockets in /proc/net/{@code table} (udp or udp6). */
    private static Set<Integer> udpPorts(String table) throws java.io.IOException {
        Set<Integer> ports = new HashSet<>();
        List<String> lines =
                java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net", table));
        for (String line : lines.subList(1, lines.size())) {
            String local = line.trim().split("\\s+")[1]; // address:port, both in hex
            ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
        }
        return ports;
    }

    /** Receives one query and sends it back as its own (empty) answer; the query's source. */
    private static InetSocketAddress answerOnce(DatagramChannel server) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(512);
            InetSocketAddress from = (InetSocketAddress) server.receive(buffer);
            buffer.flip();
            buffer.put(2, (byte) (buffer.get(2) | 0x80));
            server.send(buffer, from);
            return from;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void queryWireIsWhatDnsjavaWouldSendForTheCanonicalName() throws Exception {
        DomainName asked = DnsNames.absolute("Mx1.Forge.test");
        // the question goes out in canonical form (RFC 4034 6.2: lower case); servers answer
        // case-insensitively (RFC 4343), and the answer is matched without regard to case
        Name name = Name.fromConstantString("mx1.forge.test.");
        for (int type : new int[] {Type.MX, Type.A, Type.AAAA}) {
            Message withEdns = Message.newQuery(Record.newRecord(name, type, DClass.IN));
            withEdns.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
            withEdns.getHeader().setID(0);
            Message plain = Message.newQuery(Record.newRecord(name, type, DClass.IN));
            plain.getHeader().setID(0);

            assertThat(ServerClient.queryWire(asked, type, 1232)).isEqualTo(withEdns.toWire());
            assertThat(ServerClient.queryWire(asked, type, 0)).isEqualTo(plain.toWire());
        }
    }

    private static void assertForgeryIgnored(FaultDnsServer.Forgery forgery) throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(ZONE), true, forgery);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            MxReport report = service.check("forge.test");

            assertThat(report.classification()).isEqualTo(MxClassification.OK);
            assertThat(report.mxSet().hostNames()).containsExactly("mx1.forge.test");
            assertThat(report.hosts())
                    .extracting(MxHostReport::addresses)
                    .containsExactly(List.of("192.0.2.1"));
            assertThat(report.resolvers().get(0).queries())
                    .allSatisfy(
                            q -> {
                                assertThat(q.error()).isNull();
                                assertThat(q.ednsFallback()).isFalse();
                                assertThat(q.transport()).isEqualTo(Transport.UDP);
                            });
            assertThat(server.received())
                    .as("every question asked once: the forged datagram ended no exchange")
                    .hasSize(3);
        }
    }

    /** An answer to {@code query}'s ID claiming that {@code name} has an attacker's MX and A. */
    private static Message forgedAnswer(Message query, Name name) {
        Message forged = new Message(query.getHeader().getID());
        forged.getHeader().setFlag(org.xbill.DNS.Flags.QR);
        forged.getHeader().setFlag(org.xbill.DNS.Flags.AA);
        int type = query.getQuestion().getType();
        forged.addRecord(Record.newRecord(name, type, DClass.IN), Section.QUESTION);
        if (type == Type.MX) {
            forged.addRecord(
                    new MXRecord(name, DClass.IN, 3600, 10, Name.fromConstantString("evil.test.")),
                    Section.ANSWER);
        }
        return forged;
    }

    private static InetSocketAddress address(FaultDnsServer server) {
        String[] hostPort = server.address().split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    /** An MX query for forge.test., in wire form. */
    private static byte[] forgeMxQuery() {
        return Message.newQuery(
                        Record.newRecord(
                                Name.fromConstantString("forge.test."), Type.MX, DClass.IN))
                .toWire();
    }
}
