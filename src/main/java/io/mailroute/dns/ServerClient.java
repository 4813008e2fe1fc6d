package io.mailroute.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Talks to exactly one DNS server. Sends over UDP with EDNS0, asks again over TCP when the UDP
 * answer is truncated (a truncated answer is never returned) or suspiciously close to its size
 * limit without TC (a cut-short answer is reported in the trace), asks again without EDNS when the
 * server rejects EDNS, and records how the answer was obtained.
 *
 * <p>UDP goes through {@link UdpTransport} (pooled sockets, answers matched by source, ID and
 * question); TCP through dnsjava's {@link SimpleResolver}, forced to TCP, for this server.
 */
final class ServerClient {

    /** A UDP answer within this percentage of its size limit is asked again over TCP. */
    static final int SUSPICIOUS_PERCENT = 10;

    private final String label;

    /**
     * One UDP transport per socket, each with its own reader thread, which completes that socket's
     * answers; a question asked while an answer is completed (the next check, a CNAME's target, an
     * exchange's addresses) goes out on the same thread's own transport, so the readers share no
     * lock on the way. Others are spread over them in turn.
     */
    private final UdpTransport[] udp = new UdpTransport[UdpTransport.DEFAULT_SOCKETS];

    private final AtomicInteger nextUdp = new AtomicInteger();
    private final SimpleResolver tcp;
    private final DnsResolverConfig config;
    private final Executor executor;
    private final LongAdder sent = new LongAdder();

    ServerClient(InetSocketAddress server, DnsResolverConfig config, Executor executor) {
        this.label = label(server);
        this.config = config;
        this.executor = executor;
        for (int i = 0; i < udp.length; i++) {
            udp[i] =
                    new UdpTransport(
                            server,
                            1,
                            UdpTransport.DEFAULT_MAX_OUTSTANDING,
                            UdpTransport.DEFAULT_ROTATE_AFTER_QUERIES);
        }
        this.tcp = wireClient(server, config.queryTimeout());
        this.tcp.setTCP(true);
    }

    String label() {
        return label;
    }

    /** Stops the UDP transport's reader thread and closes its sockets. */
    void close() {
        for (UdpTransport u : udp) {
            u.close();
        }
    }

    /** The caller's own transport if it is one's reader thread, else the next in turn. */
    private UdpTransport udpTransport() {
        for (UdpTransport u : udp) {
            if (u.isReaderThread()) {
                return u;
            }
        }
        return udp[Math.floorMod(nextUdp.getAndIncrement(), udp.length)];
    }

    /** Datagrams the UDP transport ignored (wrong source, ID or question; late answers). */
    long ignoredDatagrams() {
        long ignored = 0;
        for (UdpTransport u : udp) {
            ignored += u.ignoredDatagrams();
        }
        return ignored;
    }

    /** Messages sent to the server so far (UDP and TCP, retries included). */
    long queriesSent() {
        return sent.sum();
    }

    /** Asks the question; the future always completes normally. */
    CompletableFuture<ServerResponse> query(DomainName name, int type, Deadline deadline) {
        Exchange exchange = new Exchange(name, type, deadline, System.nanoTime());
        CompletableFuture<ServerResponse> out = new CompletableFuture<>();
        overUdp(exchange, config.ednsPayloadSize() > 0, 1, out);
        return out;
    }

    /**
     * One UDP attempt; its outcome goes to {@link #onUdp}, which completes {@code out} or tries
     * again. One future per question, not a chain of futures per attempt.
     */
    private void overUdp(
            Exchange ex, boolean edns, int attempt, CompletableFuture<ServerResponse> out) {
        long timeout = ex.deadline.nextTimeoutMillis(config.queryTimeout());
        if (timeout <= 0) {
            onUdp(ex, edns, attempt, out, null, new TimeoutException("deadline exceeded"));
            return;
        }
        byte[] wire = queryWire(ex.name, ex.type, edns ? config.ednsPayloadSize() : 0);
        sent.increment();
        // The transport enforces the timeout (no timer task per query) and matches the answer
        // (source, ID, question: RFC 5452 9.1); it is parsed here, on the transport's reader
        // thread, so the answer's continuations run there without a hand-off.
        udpTransport().exchange(wire, timeout).whenComplete(new UdpAttempt(ex, edns, attempt, out));
    }

    /**
     * The outcome of one UDP attempt. A class, not a lambda: the operator image's C1-only JIT
     * creates capturing lambdas through {@code Unsafe.allocateInstance}, a native call, and every
     * question sent makes one of these.
     */
    private final class UdpAttempt implements BiConsumer<byte[], Throwable> {
        private final Exchange ex;
        private final boolean edns;
        private final int attempt;
        private final CompletableFuture<ServerResponse> out;

        UdpAttempt(Exchange ex, boolean edns, int attempt, CompletableFuture<ServerResponse> out) {
            this.ex = ex;
            this.edns = edns;
            this.attempt = attempt;
            this.out = out;
        }

        @Override
        public void accept(byte[] bytes, Throwable error) {
            if (error == null) {
                Answer answer;
                try {
                    answer = WireAnswer.parse(bytes, ex.name);
                } catch (IOException | RuntimeException e) {
                    onUdp(ex, edns, attempt, out, null, e);
                    return;
                }
                onUdp(ex, edns, attempt, out, answer, null);
                return;
            }
            // timeouts and network errors complete on the transport's reader thread, which must
            // not do our work (a retry sends): hand them over
            Throwable cause = unwrap(error);
            try {
                executor.execute(() -> onUdp(ex, edns, attempt, out, null, cause));
            } catch (RejectedExecutionException closing) {
                onUdp(ex, edns, attempt, out, null, cause);
            }
        }
    }

    private void onUdp(
            Exchange ex,
            boolean edns,
            int attempt,
            CompletableFuture<ServerResponse> out,
            Answer answer,
            Throwable error) {
        try {
            if (error != null) {
                if (isTimeout(error) && attempt < config.udpAttempts() && !ex.deadline.expired()) {
                    overUdp(ex, edns, attempt + 1, out);
                    return;
                }
                if (edns && error instanceof WireParseException && !ex.ednsFallback) {
                    // e.g. a FORMERR without question section from a server that does not know
                    // EDNS
                    ex.ednsFallback = true;
                    overUdp(ex, false, 1, out);
                    return;
                }
                out.complete(ex.failed(Transport.UDP, describe(error, ex)));
                return;
            }
            // without an OPT record the response code is the header's
            if (edns && answer.rcode == Rcode.FORMERR && answer.optPayload < 0) {
                ex.ednsFallback = true; // RFC 6891 7: retry without EDNS
                overUdp(ex, false, 1, out);
                return;
            }
            if (answer.truncated) {
                ex.truncated = true;
                forward(overTcp(ex, edns), out);
                return;
            }
            if (nearSizeLimit(answer, edns)) {
                forward(recheckOverTcp(ex, edns, answer), out);
                return;
            }
            out.complete(ex.answered(answer, Transport.UDP));
        } catch (RuntimeException e) {
            out.completeExceptionally(e);
        }
    }

    private static <T> void forward(CompletableFuture<T> from, CompletableFuture<T> to) {
        from.whenComplete((value, error) -> Futures.settle(to, value, error));
    }

    private CompletableFuture<ServerResponse> overTcp(Exchange ex, boolean edns) {
        return send(tcp, ex, edns)
                .thenApply(
                        result -> {
                            if (result.error != null) {
                                return ex.failed(
                                        Transport.TCP,
                                        "answer truncated over UDP and TCP retry failed: "
                                                + describe(result.error, ex));
                            }
                            if (result.answer.truncated) {
                                return ex.failed(Transport.TCP, "answer truncated even over TCP");
                            }
                            return ex.answered(result.answer, Transport.TCP);
                        });
    }

    /**
     * A UDP answer without TC that fills (almost) all the room it had: a middlebox or resolver may
     * have cut it to fit and dropped the TC bit (the seed incident's failure class). The room is
     * 512 bytes without EDNS, else the smaller of our and the server's EDNS payload size.
     */
    private boolean nearSizeLimit(Answer answer, boolean edns) {
        int limit = 512;
        if (edns && answer.optPayload >= 0) {
            limit = Math.max(512, Math.min(config.ednsPayloadSize(), answer.optPayload));
        }
        return answer.bytes * 100L >= limit * (100L - SUSPICIOUS_PERCENT);
    }

    /**
     * Asks a suspiciously full UDP answer again over TCP. When TCP has other records, the TCP
     * answer is used and the difference recorded in the trace; when they agree (or TCP fails), the
     * UDP answer stands.
     */
    private CompletableFuture<ServerResponse> recheckOverTcp(
            Exchange ex, boolean edns, Answer udpAnswer) {
        return send(tcp, ex, edns)
                .thenApply(
                        result -> {
                            if (result.error != null
                                    || result.answer.truncated
                                    || result.answer.rcode != udpAnswer.rcode) {
                                return ex.answered(udpAnswer, Transport.UDP);
                            }
                            List<Rr> overUdp = List.of(udpAnswer.records);
                            List<Rr> overTcp = List.of(result.answer.records);
                            if (new HashSet<>(overUdp).equals(new HashSet<>(overTcp))) {
                                return ex.answered(udpAnswer, Transport.UDP);
                            }
                            ex.udpShortened =
                                    "UDP answer of "
                                            + udpAnswer.bytes
                                            + " bytes without TC had "
                                            + overUdp.size()
                                            + " record(s), TCP had "
                                            + overTcp.size()
                                            + ": the UDP answer was cut short, the TCP answer is used";
                            return ex.answered(result.answer, Transport.TCP);
                        });
    }

    /**
     * The wire form of a query, as {@code Message.newQuery} with our OPT record would give it (ID
     * 0, RD set, one question, class IN; an OPT record with {@code ednsPayload} as UDP size,
     * extended RCODE, version and flags 0, no options, unless {@code ednsPayload} is 0), built
     * without the Message, Record and compression table that {@code toWire} needs for every query.
     * The transport sets the ID.
     */
    static byte[] queryWire(DomainName name, int type, int ednsPayload) {
        byte[] qname = name.wire(); // absolute, uncompressed
        int length = 12 + qname.length + 4 + (ednsPayload > 0 ? 11 : 0);
        byte[] wire = new byte[length];
        wire[2] = 0x01; // RD
        wire[5] = 1; // QDCOUNT
        wire[11] = (byte) (ednsPayload > 0 ? 1 : 0); // ARCOUNT
        System.arraycopy(qname, 0, wire, 12, qname.length);
        int i = 12 + qname.length;
        wire[i++] = (byte) (type >>> 8);
        wire[i++] = (byte) type;
        wire[i++] = 0;
        wire[i++] = (byte) DClass.IN;
        if (ednsPayload > 0) {
            wire[i++] = 0; // root owner name
            wire[i++] = (byte) (Type.OPT >>> 8);
            wire[i++] = (byte) Type.OPT;
            wire[i++] = (byte) (ednsPayload >>> 8); // CLASS: UDP payload size
            wire[i] = (byte) ednsPayload; // TTL (extended RCODE, version, flags) and RDLENGTH: 0
        }
        return wire;
    }

    private Message query(Exchange ex, boolean edns) throws IOException {
        Message query =
                Message.newQuery(Record.newRecord(new Name(ex.name.wire()), ex.type, DClass.IN));
        if (edns) {
            query.addRecord(new OPTRecord(config.ednsPayloadSize(), 0, 0, 0), Section.ADDITIONAL);
        }
        return query;
    }

    private CompletableFuture<WireResult> send(SimpleResolver resolver, Exchange ex, boolean edns) {
        long timeout = ex.deadline.nextTimeoutMillis(config.queryTimeout());
        if (timeout <= 0) {
            return CompletableFuture.completedFuture(
                    new WireResult(null, new TimeoutException("deadline exceeded")));
        }
        CompletableFuture<WireResult> result = new CompletableFuture<>();
        try {
            Message query = query(ex, edns);
            sent.increment();
            // dnsjava parses the answer on our executor, so continuations of an answer run there
            // without another hand-off. Failures complete on dnsjava's selector thread or the JDK's
            // timer thread, which must not do our work (a retry opens a socket): they are handed to
            // the executor.
            resolver.sendAsync(query, executor)
                    .toCompletableFuture()
                    .orTimeout(timeout, TimeUnit.MILLISECONDS)
                    .whenComplete(
                            (message, error) -> {
                                WireResult r = WireResult.of(message, error, ex.name);
                                if (error == null) {
                                    result.complete(r);
                                    return;
                                }
                                try {
                                    executor.execute(() -> result.complete(r));
                                } catch (RejectedExecutionException closing) {
                                    result.complete(r);
                                }
                            });
        } catch (IOException | RuntimeException e) {
            result.complete(new WireResult(null, e));
        }
        return result;
    }

    private static SimpleResolver wireClient(InetSocketAddress server, Duration timeout) {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setEDNS(null); // we add the OPT record ourselves, per query
        resolver.setTimeout(timeout);
        return resolver;
    }

    private static boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException || error instanceof SocketTimeoutException;
    }

    private static String describe(Throwable error, Exchange ex) {
        if (isTimeout(error)) {
            return ex.deadline.expired() ? "timeout (deadline exceeded)" : "timeout";
        }
        String kind = error instanceof IOException ? "network error" : "error";
        return kind
                + ": "
                + error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : " " + error.getMessage());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String label(InetSocketAddress server) {
        String host = server.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
    }

    /** A TCP answer, read as a UDP answer is (from its wire form), or why there is none. */
    private record WireResult(Answer answer, Throwable error) {
        static WireResult of(Message message, Throwable error, DomainName asked) {
            if (error != null) {
                return new WireResult(null, unwrap(error));
            }
            try {
                return new WireResult(WireAnswer.parse(message.toWire(), asked), null);
            } catch (IOException | RuntimeException e) {
                return new WireResult(null, e);
            }
        }
    }

    /** State of one question while it moves through UDP, EDNS fallback and TCP. */
    private final class Exchange {
        final DomainName name;
        final int type;
        final Deadline deadline;
        final long startNanos;
        boolean truncated;
        boolean ednsFallback;
        String udpShortened;

        Exchange(DomainName name, int type, Deadline deadline, long startNanos) {
            this.name = name;
            this.type = type;
            this.deadline = deadline;
            this.startNanos = startNanos;
        }

        ServerResponse answered(Answer answer, Transport transport) {
            QueryTrace trace =
                    trace(
                            Rcode.string(answer.rcode),
                            transport,
                            answer.records.length,
                            answer.bytes,
                            null);
            return new ServerResponse(answer, trace, Math.max(0, answer.ttl));
        }

        ServerResponse failed(Transport transport, String error) {
            return new ServerResponse(null, trace(null, transport, 0, 0, error), 0);
        }

        private QueryTrace trace(
                String rcode, Transport transport, int answers, int bytes, String error) {
            long millis = (System.nanoTime() - startNanos) / 1_000_000;
            return new QueryTrace(
                    label,
                    name.text(),
                    Type.string(type),
                    rcode,
                    transport,
                    truncated,
                    ednsFallback,
                    false,
                    millis,
                    answers,
                    bytes,
                    error,
                    udpShortened);
        }
    }
}
