package io.mailroute.dependent;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The parts of each relay's last sharded layout ({@link RelayConfigLayout.Digested}: bytes and
 * digest), for the relay's next {@link RelayConfigLayout#render}: an edit changes one partition of
 * a map, so the digests of the others are taken from here instead of hashing their bytes again.
 * Holds one rendering per relay (the bytes of its maps once, about 600 KB at 10,000 routes); a
 * relay that renders no sharded layout forgets its entry, and one not rendered for {@code idle}
 * (deleted: the reconciler sees no deletion, MailRelays carry no finalizer) is dropped at the next
 * call for any relay. Every relay is reconciled at least every five minutes, so a longer {@code
 * idle} never drops a live one.
 */
public final class RelayLayoutMemo {
    private record Entry(Map<String, List<RelayConfigLayout.Digested>> parts, long renderedAt) {}

    private final Map<ResourceID, Entry> relays = new ConcurrentHashMap<>();
    private final long idleNanos;
    private final LongSupplier nanoTime;

    public RelayLayoutMemo(Duration idle) {
        this(idle, System::nanoTime);
    }

    RelayLayoutMemo(Duration idle, LongSupplier nanoTime) {
        this.idleNanos = idle.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The parts of {@code relay}'s last sharded layout, or an empty map. */
    public Map<String, List<RelayConfigLayout.Digested>> previous(ResourceID relay) {
        dropIdle();
        Entry entry = relays.get(relay);
        return entry == null ? Map.of() : entry.parts();
    }

    /**
     * Keeps the parts of {@code relay}'s layout just rendered ({@link
     * RelayConfigLayout.Rendered#digests}); null (files inline or cut in order) forgets the relay's
     * entry.
     */
    public void remember(ResourceID relay, Map<String, List<RelayConfigLayout.Digested>> parts) {
        if (parts == null) {
            relays.remove(relay);
        } else {
            relays.put(relay, new Entry(parts, nanoTime.getAsLong()));
        }
        dropIdle();
    }

    /** Forgets {@code relay}'s entry (it rendered no configuration). */
    public void forget(ResourceID relay) {
        relays.remove(relay);
        dropIdle();
    }

    /** Relays with an entry. */
    int size() {
        return relays.size();
    }

    private void dropIdle() {
        long now = nanoTime.getAsLong();
        relays.values().removeIf(entry -> now - entry.renderedAt() > idleNanos);
    }
}
