package io.mailroute.routing;

import io.mailroute.api.v1alpha1.MailRoute;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The last translation of each route, reused while the route is the same object. A relay plans all
 * of its routes at every change of one of them; translating 10,000 unchanged routes again was a
 * fifth of each plan. The route caches replace a route's object when it changes (spec, status or
 * metadata) and never modify it, and a translation reads nothing else: the render policy is fixed,
 * and a route that reads a Secret (a relay target's credentials) is translated every time.
 */
final class Translations {
    /** Entries of routes no plan asked for within this long are dropped (deleted routes). */
    static final long IDLE_NANOS = 60_000_000_000L;

    private final RouteTranslator translator;
    private final LongSupplier nanoTime;
    private final Map<ResourceKey, Entry> entries = new ConcurrentHashMap<>();
    private volatile long lastPrune;

    /** A route object and what translating it gave: rules, or a rejection. */
    private static final class Entry {
        final MailRoute route;
        final TranslatedRoute translated;
        final String rejectedReason;
        final String rejectedMessage;
        volatile long usedAt;

        Entry(MailRoute route, TranslatedRoute translated, RouteRejectedException rejected) {
            this.route = route;
            this.translated = translated;
            this.rejectedReason = rejected == null ? null : rejected.reason();
            this.rejectedMessage = rejected == null ? null : rejected.getMessage();
        }
    }

    Translations(RouteTranslator translator, LongSupplier nanoTime) {
        this.translator = translator;
        this.nanoTime = nanoTime;
        this.lastPrune = nanoTime.getAsLong();
    }

    /** {@link RouteTranslator#translate}, from the last translation of this very object if any. */
    TranslatedRoute translate(ResourceKey key, MailRoute route, RouteInputs inputs)
            throws RouteRejectedException {
        if (RouteTranslator.readsSecrets(route)) {
            return translator.translate(route, inputs);
        }
        long now = nanoTime.getAsLong();
        Entry entry = entries.get(key);
        if (entry == null || entry.route != route) {
            try {
                TranslatedRoute translated = translator.translate(route, inputs);
                // shared by later plans: nobody may change it
                entry =
                        new Entry(
                                route,
                                new TranslatedRoute(
                                        Collections.unmodifiableList(translated.rules()),
                                        Collections.unmodifiableMap(translated.withheld())),
                                null);
            } catch (RouteRejectedException e) {
                entry = new Entry(route, null, e);
            }
            entries.put(key, entry);
        }
        entry.usedAt = now;
        prune(now);
        if (entry.rejectedReason != null) {
            throw new RouteRejectedException(entry.rejectedReason, entry.rejectedMessage);
        }
        return entry.translated;
    }

    int size() {
        return entries.size();
    }

    private void prune(long now) {
        if (now - lastPrune < IDLE_NANOS) {
            return;
        }
        lastPrune = now;
        entries.values().removeIf(e -> now - e.usedAt > IDLE_NANOS);
    }
}
