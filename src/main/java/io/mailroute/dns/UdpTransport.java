package io.mailroute.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * UDP exchanges with one DNS server over a small pool of long-lived sockets, read by one selector
 * thread, which also completes the answers. {@link ServerClient} runs several of these per server
 * (one socket each), so the answers of one server are read and processed on as many threads.
 *
 * <p>Why: dnsjava's UDP client opens, binds, connects, registers and closes a socket for every
 * query and scans its list of transactions for every completion; at 10,000 questions that was most
 * of the engine's wire time. Here a query takes a free (socket, ID) slot and is written at once;
 * the reader thread reads datagrams, matches them and completes their futures. Each socket asks the
 * kernel for a large receive buffer ({@link #RECEIVE_BUFFER}, capped by net.core.rmem_max; the
 * kernel's default buffer is 208 KiB) and carries at most {@code maxOutstandingPerSocket} queries,
 * so every answer that can be on its way fits in the buffer while the reader processes earlier ones
 * (32 answers of at most 1,232 bytes, our EDNS size, plus the kernel's overhead per datagram: about
 * 100 KiB), and IDs on a socket never collide; queries beyond that wait in line here, not on the
 * wire. (A first pooled try with one blocking reader per socket and no such bound lost answers to
 * full socket buffers.)
 *
 * <p>An answer is accepted only when it comes from the server's address and port, answers a query
 * that is outstanding on that socket under that 16-bit ID, has QR set and carries the same question
 * (name, type and class; the name compared without regard to ASCII case): RFC 5452 section 9.1.
 * Anything else is ignored and the query keeps waiting for its real answer (a forged or stray
 * datagram must not end the exchange). The one exception is a FORMERR without a question section
 * from the right source and ID: servers that do not know EDNS answer that way (RFC 6891 section 7),
 * and the caller then asks again without EDNS.
 *
 * <p>Security trade-off (RFC 5452 section 10, the Kaminsky attack): an off-path forger must guess
 * the source port and the ID. IDs come from {@link SecureRandom}; ports are the kernel's random
 * ephemeral ports, but a pooled socket keeps its port for many queries, so the port gives less
 * entropy over time than dnsjava's port per query. Sockets are therefore rotated: after {@code
 * rotateAfterQueries} queries or {@link #ROTATE_AFTER_NANOS} of age a socket takes no new query, is
 * replaced by a socket on a fresh random port, and is closed once its last outstanding query ended.
 * The server asked is normally the cluster's or the node's own resolver, reached over a path an
 * off-path attacker does not see either.
 *
 * <p>Timeouts are enforced here: {@link #exchange(byte[], long)} fails the query with a {@link
 * TimeoutException} once its time is up (checked by the reader thread every {@link #SWEEP_MILLIS},
 * so a timeout fires up to that much late). One sweep of a few hundred outstanding queries replaces
 * a timer task per query: scheduling and cancelling one in the JDK's shared delay scheduler (a
 * locked heap) for every question was a visible part of a cold check. When the returned future
 * completes in any way, its slot is freed, so a late answer finds no query and is ignored.
 *
 * <p>Answers are completed on the reader thread, once it read everything that one wake-up found:
 * the caller's continuations (parsing, classifying, the next question) run there and must not
 * block. Handing them to a worker pool instead cost a task, a queue and the wake-up of a parked
 * worker per batch of answers; with one transport per socket and the answers processed where they
 * are read, a pass over 10,000 domains took 15-21% less wall time and no more CPU
 * (docs/benchmarks.md, "One reader per socket").
 */
final class UdpTransport implements AutoCloseable {

    /** Asked for per socket; the kernel grants at most net.core.rmem_max (often 208 KiB). */
    static final int RECEIVE_BUFFER = 4 << 20;

    static final int DEFAULT_SOCKETS = 4;

    /**
     * Per socket: 128 per server at once. Limits what the server has to buffer too: at 256 a knot
     * that lost the CPU on a loaded machine overflowed its 208 KiB receive buffer (the kernel's
     * default) and dropped queries, which came back only as retries after the timeout.
     */
    static final int DEFAULT_MAX_OUTSTANDING = 32;

    static final int DEFAULT_ROTATE_AFTER_QUERIES = 5_000;
    static final long ROTATE_AFTER_NANOS = 60_000_000_000L;

    /** How often the reader looks for queries whose time is up, while any is outstanding. */
    static final long SWEEP_MILLIS = 10;

    private static final int HEADER = 12;
    private static final int MAX_DATAGRAM = 65_535;

    private final InetSocketAddress server;
    private final int maxOutstandingPerSocket;
    private final int rotateAfterQueries;
    private final SecureRandom random = new SecureRandom();
    private final Selector selector;
    private final Thread reader;
    private final ConcurrentLinkedQueue<PooledSocket> toRegister = new ConcurrentLinkedQueue<>();
    private final LongAdder ignored = new LongAdder();

    private final Object lock = new Object();
    private final List<PooledSocket> active = new ArrayList<>(); // guarded by lock
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>(); // guarded by lock
    // active and retired sockets until they are closed: the sweep looks at all of them
    private final List<PooledSocket> open = new ArrayList<>(); // guarded by lock
    private int timed; // queries with a timeout, sent or waiting; guarded by lock
    private boolean readerIdle; // reader blocks without timeout (nothing timed); guarded by lock
    private final byte[] ids = new byte[256]; // random bytes for IDs, refilled; guarded by lock
    private int idsUsed = ids.length; // guarded by lock
    private int nextSocket; // guarded by lock
    private int receiveBufferGranted;
    private volatile boolean closed;

    UdpTransport(InetSocketAddress server) {
        this(server, DEFAULT_SOCKETS, DEFAULT_MAX_OUTSTANDING, DEFAULT_ROTATE_AFTER_QUERIES);
    }

    UdpTransport(
            InetSocketAddress server,
            int sockets,
            int maxOutstandingPerSocket,
            int rotateAfterQueries) {
        if (sockets < 1 || maxOutstandingPerSocket < 1 || rotateAfterQueries < 1) {
            throw new IllegalArgumentException(
                    "sockets, outstanding queries and rotation must be at least 1");
        }
        this.server = server;
        this.maxOutstandingPerSocket = Math.min(maxOutstandingPerSocket, 1 << 15);
        this.rotateAfterQueries = rotateAfterQueries;
        try {
            this.selector = Selector.open();
            for (int i = 0; i < sockets; i++) {
                active.add(open());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot open UDP sockets for " + server, e);
        }
        this.reader = new Thread(this::readLoop, "mailroute-dns-udp-" + server);
        reader.setDaemon(true);
        reader.start();
    }

    /** Bytes per socket receive buffer that the kernel granted (for the benchmark's report). */
    int receiveBufferGranted() {
        return receiveBufferGranted;
    }

    /** Datagrams read and ignored: wrong source, unknown ID, other question, or not an answer. */
    long ignoredDatagrams() {
        return ignored.sum();
    }

    /**
     * Whether the caller runs on this transport's reader thread (completing one of its answers).
     */
    boolean isReaderThread() {
        return Thread.currentThread() == reader;
    }

    /** Local ports in use (tests check rotation). */
    List<Integer> localPorts() {
        synchronized (lock) {
            return active.stream().map(s -> s.port).toList();
        }
    }

    /**
     * Sends {@code query} (its ID is replaced by a fresh random one) and completes with the raw
     * matching answer, on the reader thread. Never completes by itself when no answer comes: the
     * caller sets the timeout.
     */
    CompletableFuture<byte[]> exchange(byte[] query) {
        return exchange(query, 0);
    }

    /**
     * As {@link #exchange(byte[])}, but fails with a {@link TimeoutException} (on the reader
     * thread) when no answer came within {@code timeoutMillis} of this call, time spent waiting for
     * a free slot included; 0 or less: no timeout.
     */
    CompletableFuture<byte[]> exchange(byte[] query, long timeoutMillis) {
        Pending p = new Pending(query, this);
        if (closed) {
            p.future.completeExceptionally(new ClosedChannelException());
            return p.future;
        }
        if (timeoutMillis > 0) {
            p.expiresNanos = System.nanoTime() + timeoutMillis * 1_000_000L;
            p.timed = true;
        }
        p.future.whenComplete(p); // frees its slot, however it ends
        PooledSocket socket;
        boolean wake = false;
        synchronized (lock) {
            if (p.timed) {
                timed++;
                wake = readerIdle;
                readerIdle = false;
            }
            socket = assign(p);
            if (socket == null) {
                waiting.add(p);
            }
        }
        if (wake) {
            selector.wakeup(); // the reader must sweep for this query's timeout
        }
        if (socket != null) {
            write(socket, p);
        }
        return p.future;
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        List<Pending> abandoned = new ArrayList<>();
        synchronized (lock) {
            for (PooledSocket s : open) { // active and retired ones
                s.pending.addTo(abandoned);
                s.close();
            }
            abandoned.addAll(waiting);
            waiting.clear();
        }
        abandoned.forEach(p -> p.future.completeExceptionally(new ClosedChannelException()));
        try {
            reader.join(1000);
            selector.close();
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Gives the query a socket with room and an ID unused on it; null if all are full. */
    private PooledSocket assign(Pending p) {
        int n = active.size();
        for (int i = 0; i < n; i++) {
            PooledSocket s = active.get((nextSocket + i) % n);
            if (s.pending.size() >= maxOutstandingPerSocket) {
                continue;
            }
            nextSocket = (nextSocket + i + 1) % n;
            int id;
            do {
                id = nextId();
            } while (s.pending.containsKey(id));
            p.id = id;
            p.socket = s;
            s.pending.put(id, p);
            s.sent++;
            if (s.sent >= rotateAfterQueries
                    || System.nanoTime() - s.openedNanos > ROTATE_AFTER_NANOS) {
                rotate(s);
            }
            return s;
        }
        return null;
    }

    /** A random 16-bit ID; SecureRandom is asked for 256 bytes at a time, not per query. */
    private int nextId() {
        if (idsUsed + 2 > ids.length) {
            random.nextBytes(ids);
            idsUsed = 0;
        }
        int id = ((ids[idsUsed] & 0xff) << 8) | (ids[idsUsed + 1] & 0xff);
        idsUsed += 2;
        return id;
    }

    /** Takes {@code s} out of service and puts a socket on a new random port in its place. */
    private void rotate(PooledSocket s) {
        try {
            PooledSocket fresh = open();
            active.set(active.indexOf(s), fresh);
            s.retired = true;
        } catch (IOException e) {
            s.sent = 0; // keep the old socket rather than lose capacity; try again later
        }
    }

    /**
     * Sends the query with its ID through the socket's own direct buffer: no copy of the query and
     * no buffer per send (the JDK copies a heap buffer into a direct one of its own before every
     * send anyway). The socket is connected, so a plain write goes to the server.
     */
    private void write(PooledSocket s, Pending p) {
        byte[] query = p.query;
        try {
            if (query.length > s.out.capacity()) {
                // not reached: our queries are at most 282 bytes (see PooledSocket.out)
                throw new IOException(
                        "query of " + query.length + " bytes: larger than any we make");
            }
            int sent;
            synchronized (s.out) {
                s.out.clear();
                s.out.put(query);
                s.out.put(0, (byte) (p.id >>> 8));
                s.out.put(1, (byte) p.id);
                s.out.flip();
                sent = s.channel.write(s.out);
            }
            if (sent == 0) {
                throw new IOException("UDP send buffer full");
            }
        } catch (IOException e) {
            p.future.completeExceptionally(e);
        }
    }

    /** The query ended (answer, timeout, failure): free its slot and start a waiting query. */
    private void release(Pending p) {
        List<Pending> toSend = null; // made only when queries wait for a slot
        List<PooledSocket> sockets = null;
        PooledSocket close = null;
        synchronized (lock) {
            if (p.timed) {
                p.timed = false;
                timed--;
            }
            PooledSocket s = p.socket;
            if (s == null) {
                waiting.remove(p);
                return;
            }
            s.pending.remove(p.id, p);
            if (s.retired && s.pending.isEmpty() && open.remove(s)) {
                close = s;
            }
            while (!waiting.isEmpty()) {
                Pending next = waiting.peek();
                PooledSocket free = assign(next);
                if (free == null) {
                    break;
                }
                waiting.poll();
                if (toSend == null) {
                    toSend = new ArrayList<>();
                    sockets = new ArrayList<>();
                }
                toSend.add(next);
                sockets.add(free);
            }
        }
        if (close != null) {
            close.close();
        }
        for (int i = 0; toSend != null && i < toSend.size(); i++) {
            write(sockets.get(i), toSend.get(i));
        }
    }

    private PooledSocket open() throws IOException {
        // the server's own address family: the JDK's default socket is IPv6, and Linux sends a
        // datagram from an IPv6 socket to an IPv4-mapped address through udp_sendmsg with the
        // address passed explicitly, so even a connected socket gets a route lookup per query
        // (about 1% of a cold pass's CPU samples at 10,000 domains; docs/benchmarks.md)
        DatagramChannel channel =
                DatagramChannel.open(
                        server.getAddress() instanceof Inet4Address
                                ? StandardProtocolFamily.INET
                                : StandardProtocolFamily.INET6);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        receiveBufferGranted = channel.getOption(StandardSocketOptions.SO_RCVBUF);
        // port 0: the kernel picks a random ephemeral port; connecting makes the kernel drop
        // datagrams from any other source (we check the source again on receipt)
        channel.bind(null);
        channel.connect(server);
        channel.configureBlocking(false);
        PooledSocket s =
                new PooledSocket(
                        channel,
                        ((InetSocketAddress) channel.getLocalAddress()).getPort(),
                        maxOutstandingPerSocket);
        synchronized (lock) {
            open.add(s);
        }
        toRegister.add(s);
        selector.wakeup();
        return s;
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        List<Delivery> answers = new ArrayList<>();
        long lastSweep = System.nanoTime();
        while (!closed) {
            boolean idle;
            synchronized (lock) {
                idle = timed == 0;
                readerIdle = idle;
            }
            try {
                if (idle) {
                    selector.select(); // exchange() wakes it when a timed query comes
                } else {
                    selector.select(SWEEP_MILLIS);
                }
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            for (PooledSocket s; (s = toRegister.poll()) != null; ) {
                try {
                    s.channel.register(selector, SelectionKey.OP_READ, s);
                } catch (ClosedChannelException e) {
                    // already rotated out and closed
                }
            }
            for (SelectionKey key : selector.selectedKeys()) {
                try {
                    drain((PooledSocket) key.attachment(), buffer, answers);
                } catch (RuntimeException unexpected) {
                    // the only reader of every socket must not die: its queries would all time out
                    ignored.increment();
                }
            }
            selector.selectedKeys().clear();
            complete(answers);
            long now = System.nanoTime();
            if (now - lastSweep >= SWEEP_MILLIS * 1_000_000L) {
                lastSweep = now;
                sweep(now);
            }
        }
    }

    /** Completes the answers read in one wake-up, here on the reader thread. */
    private void complete(List<Delivery> answers) {
        // not for-each: C1 allocates iterators. complete() does not throw: a stage that fails
        // completes its own future exceptionally
        for (int i = 0; i < answers.size(); i++) {
            answers.get(i).complete();
        }
        answers.clear();
    }

    /** Fails the queries whose time is up, sent or still waiting for a slot. */
    private void sweep(long now) {
        List<Pending> expired = new ArrayList<>();
        synchronized (lock) {
            if (timed == 0) {
                return;
            }
            for (PooledSocket s : open) {
                for (int i = 0; i < s.pending.slots(); i++) {
                    Pending p = s.pending.at(i);
                    if (p != null && p.timed && now - p.expiresNanos >= 0) {
                        expired.add(p);
                    }
                }
            }
            for (Pending p : waiting) {
                if (p.timed && now - p.expiresNanos >= 0) {
                    expired.add(p);
                }
            }
        }
        for (Pending p : expired) {
            p.future.completeExceptionally(new TimeoutException("no answer in time"));
        }
    }

    /** Reads every datagram waiting on the socket; only reads and matches, never parses. */
    private void drain(PooledSocket s, ByteBuffer buffer, List<Delivery> answers) {
        while (true) {
            SocketAddress from;
            buffer.clear();
            try {
                from = s.channel.receive(buffer);
            } catch (PortUnreachableException e) {
                // ICMP: nothing listens at the server's port; every query on this socket fails
                List<Pending> failed;
                synchronized (lock) {
                    List<Pending> all = new ArrayList<>();
                    s.pending.addTo(all);
                    failed = all;
                }
                failed.forEach(p -> p.future.completeExceptionally(e));
                continue;
            } catch (IOException e) {
                return; // closed by rotation or close()
            }
            if (from == null) {
                return;
            }
            buffer.flip();
            Pending p = match(s, from, buffer);
            if (p == null) {
                ignored.increment();
                continue;
            }
            byte[] answer = new byte[buffer.remaining()];
            buffer.get(answer);
            answers.add(new Delivery(p, answer));
        }
    }

    /** The outstanding query that this datagram answers (RFC 5452 section 9.1), or null. */
    private Pending match(PooledSocket s, SocketAddress from, ByteBuffer answer) {
        if (!server.equals(from) || answer.remaining() < HEADER) {
            return null;
        }
        int id = answer.getShort(0) & 0xffff;
        int flags = answer.getShort(2) & 0xffff;
        if ((flags & 0x8000) == 0) {
            return null; // QR clear: a query, not an answer
        }
        Pending p;
        synchronized (lock) {
            p = s.pending.get(id);
        }
        if (p == null) {
            return null;
        }
        int questions = answer.getShort(4) & 0xffff;
        if (questions == 0 && (flags & 0xf) == 1 /* FORMERR */) {
            return p;
        }
        return questions == 1 && sameQuestion(p.query, answer) ? p : null;
    }

    /** Question name, type and class equal; names compared ignoring ASCII case (RFC 4343). */
    static boolean sameQuestion(byte[] query, ByteBuffer answer) {
        int end = questionEnd(query);
        if (end < 0 || answer.limit() < end) {
            return false;
        }
        for (int i = HEADER; i < end; i++) {
            byte a = query[i];
            byte b = answer.get(i);
            if (a != b && lower(a) != lower(b)) {
                return false;
            }
        }
        return true;
    }

    /** Offset just past the question (uncompressed name, type, class) of our own query. */
    private static int questionEnd(byte[] query) {
        int i = HEADER;
        while (i < query.length && query[i] != 0) {
            if ((query[i] & 0xc0) != 0) {
                return -1; // we never compress our question
            }
            i += (query[i] & 0xff) + 1;
        }
        int end = i + 1 + 4;
        return end <= query.length ? end : -1;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
    }

    /** One pooled socket and the queries outstanding on it, keyed by ID. */
    private static final class PooledSocket {
        final DatagramChannel channel;
        final int port;
        final long openedNanos = System.nanoTime();
        final IdTable<Pending> pending; // guarded by the transport's lock
        // a query on its way out (the largest we make: a 12-byte header, a 255-octet name, type
        // and class, an 11-byte OPT record: 282 bytes); guarded by itself
        final ByteBuffer out = ByteBuffer.allocateDirect(512);
        int sent;
        boolean retired;

        PooledSocket(DatagramChannel channel, int port, int maxOutstanding) {
            this.channel = channel;
            this.port = port;
            this.pending = new IdTable<>(maxOutstanding);
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** An answer matched to its query, completed once the reader read the others. */
    private record Delivery(Pending pending, byte[] answer) {
        void complete() {
            pending.future.complete(answer);
        }
    }

    /**
     * One query: its wire form (ID set when sent), its slot and its future; also what frees the
     * slot when the future ends. Not a lambda per query: the operator image's C1-only JIT creates
     * capturing lambdas through {@code Unsafe.allocateInstance}, a native call.
     */
    private static final class Pending implements BiConsumer<byte[], Throwable> {
        final byte[] query;
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        private final UdpTransport transport;
        int id;
        PooledSocket socket; // guarded by the transport's lock; null while waiting
        long expiresNanos; // System.nanoTime() when its time is up, if timed
        boolean timed; // counted in the transport's timed; guarded by the transport's lock

        Pending(byte[] query, UdpTransport transport) {
            this.query = query;
            this.transport = transport;
        }

        @Override
        public void accept(byte[] answer, Throwable error) {
            transport.release(this);
        }
    }

    /**
     * Values by 16-bit DNS ID for one socket's outstanding queries: open addressing with linear
     * probing in two arrays sized for at most {@code capacity} entries. A {@code HashMap<Integer,
     * ...>} boxed the ID on every put, look-up and removal (random IDs are mostly above the Integer
     * cache) and made a node per query. IDs are random, so the ID itself is the hash. Not
     * thread-safe: guarded by the transport's lock.
     */
    static final class IdTable<T> {
        private final int[] ids;
        private final Object[] values;
        private final int mask;
        private int size;

        /** A table for up to {@code capacity} entries (the table is at least twice that). */
        IdTable(int capacity) {
            int n = 4;
            while (n < capacity * 2) {
                n <<= 1;
            }
            ids = new int[n];
            values = new Object[n];
            mask = n - 1;
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }

        @SuppressWarnings("unchecked")
        T get(int id) {
            for (int i = id & mask; values[i] != null; i = (i + 1) & mask) {
                if (ids[i] == id) {
                    return (T) values[i];
                }
            }
            return null;
        }

        boolean containsKey(int id) {
            return get(id) != null;
        }

        /** Adds {@code value} under {@code id}, which must not be in the table. */
        void put(int id, T value) {
            if (size >= mask) {
                throw new IllegalStateException("ID table full");
            }
            int i = id & mask;
            while (values[i] != null) {
                i = (i + 1) & mask;
            }
            ids[i] = id;
            values[i] = value;
            size++;
        }

        /** Removes {@code id} if it maps to {@code value} (the same object); whether it did. */
        boolean remove(int id, T value) {
            int i = id & mask;
            while (values[i] != value || ids[i] != id) {
                if (values[i] == null) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            values[i] = null;
            size--;
            // backward-shift deletion: move later entries of the probe run into the hole unless
            // their home slot lies cyclically in (hole, their slot], so every entry stays
            // reachable from its home slot without tombstones
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                if (values[j] == null) {
                    return true;
                }
                int home = ids[j] & mask;
                boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
                if (!stays) {
                    ids[i] = ids[j];
                    values[i] = values[j];
                    values[j] = null;
                    i = j;
                }
            }
        }

        /** Number of slots, for {@link #at}. */
        int slots() {
            return values.length;
        }

        /** The value in slot {@code i}, or null if it is empty. */
        @SuppressWarnings("unchecked")
        T at(int i) {
            return (T) values[i];
        }

        /** Adds every value to {@code out}. */
        @SuppressWarnings("unchecked")
        void addTo(List<? super T> out) {
            for (Object v : values) {
                if (v != null) {
                    out.add((T) v);
                }
            }
        }
    }
}
