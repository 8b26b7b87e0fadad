package dev.canopy.api.endpoint;

import dev.canopy.api.config.DaemonThreads;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.runner.inference.ServedModel;
import dev.canopy.runner.inference.TabularModel.Prediction;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends copies of an endpoint's answered requests to its shadow version, after the client has its answer, on
 * threads of their own with a bounded queue: at most {@value #QUEUE} copies and {@value #MAX_RECORDS_IN_FLIGHT}
 * records waiting or being answered (each copy holds its request's records and answers). When the shadow falls
 * behind, copies are dropped (and counted) rather than slowing the live traffic or filling the heap. A copy whose
 * shadow is no longer loaded and no longer served (stopped after the copy was queued) is dropped too, rather than
 * loading the ended shadow again. The shadow's answers are compared with what the client got, never returned. What
 * each control plane saw is pooled with the others' ({@link ShadowPool}) on the serving pooling thread.
 */
@ApplicationScoped
class ShadowTraffic {

    /** One shadow (by its id, not its version's: a later shadow of the same version starts from zero). */
    private record Key(UUID endpointId, UUID shadowId) {}

    private static final int QUEUE = 1000;
    static final int MAX_RECORDS_IN_FLIGHT = 50_000;

    @Inject
    EndpointRoutes routes;

    @Inject
    LoadedVersions versions;

    @Inject
    ShadowPool pool;

    private final Map<Key, ShadowStats> stats = new ConcurrentHashMap<>();
    /** What {@link #store} last stored of each entry of {@link #stats}; written by the pooling thread only. */
    private final Map<Key, ShadowStats.Totals> stored = new ConcurrentHashMap<>();

    /** Records of the copies queued or being answered. */
    private final AtomicLong recordsInFlight = new AtomicLong();

    private final ThreadPoolExecutor copies = new ThreadPoolExecutor(
            2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), DaemonThreads.numbered("canopy-shadow"));

    /** Sends a copy of an answered request to the route's shadow, if it has one. */
    void copy(Route route, List<Map<String, Object>> records, List<Prediction> returned) {
        RegisteredVersion shadow = route.shadow();
        if (shadow == null) {
            return;
        }
        ShadowStats of = stats.computeIfAbsent(new Key(route.endpointId(), route.shadowId()), k -> new ShadowStats());
        of.copies.increment();
        int size = records.size();
        if (recordsInFlight.addAndGet(size) > MAX_RECORDS_IN_FLIGHT) {
            recordsInFlight.addAndGet(-size);
            of.dropped.increment();
            return;
        }
        try {
            copies.execute(() -> {
                try {
                    answer(route, shadow, of, records, returned);
                } finally {
                    recordsInFlight.addAndGet(-size);
                }
            });
        } catch (RejectedExecutionException e) {
            recordsInFlight.addAndGet(-size);
            of.dropped.increment();
        }
    }

    private void answer(
            Route route,
            RegisteredVersion shadow,
            ShadowStats of,
            List<Map<String, Object>> records,
            List<Prediction> returned) {
        try {
            Optional<ServedModel> ready = versions.servedIfLoaded(shadow);
            if (ready.isEmpty() && !routes.servedVersions().contains(shadow.id())) {
                // Stopped (and unloaded) after this copy was queued.
                of.dropped.increment();
                return;
            }
            ServedModel model = ready.isPresent() ? ready.get() : versions.served(shadow);
            // Latency from when it is loaded, as a live version's: a copy that found it loading waited for the load.
            long start = System.nanoTime();
            // An answer that would fail as a live one (NaN) counts as the shadow's error, not as a comparison.
            List<Prediction> answers = model.predict(records, route.batching());
            of.answered(System.nanoTime() - start, returned, answers);
        } catch (Exception e) {
            of.errors.increment();
        }
    }

    /** Stores what changed since the last call, for the other control planes (on the serving pooling thread). */
    void store() throws SQLException {
        List<ShadowPool.Seen> changed = new ArrayList<>();
        for (Map.Entry<Key, ShadowStats> entry : stats.entrySet()) {
            ShadowStats.Totals now = entry.getValue().totals();
            if (!now.equals(stored.get(entry.getKey()))) {
                changed.add(new ShadowPool.Seen(
                        entry.getKey().endpointId(), entry.getKey().shadowId(), now));
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        pool.store(changed);
        changed.forEach(s -> stored.put(new Key(s.endpointId(), s.shadowId()), s.totals()));
    }

    /**
     * What the shadow {@code shadowId} answered on the endpoint, summed over control planes (those that stopped
     * included): this one's counts as they are now, the others' as they last stored them. When the others' cannot
     * be read, this one's alone, and {@code allControlPlanes} is false.
     */
    Compared of(UUID endpointId, UUID shadowId) {
        ShadowStats here = stats.get(new Key(endpointId, shadowId));
        ShadowStats.Totals totals = here == null ? ShadowStats.Totals.NONE : here.totals();
        try {
            return new Compared(totals.plus(pool.seenElsewhere(shadowId)), true);
        } catch (SQLException e) {
            Log.warnf("Shadow comparisons of other control planes could not be read: %s", e.getMessage());
            return new Compared(totals, false);
        }
    }

    /** Adds the endpoints this control plane has shadow counts of to {@code into}. */
    void endpoints(Set<UUID> into) {
        stats.keySet().forEach(key -> into.add(key.endpointId()));
    }

    /** Forgets the shadow counts of the endpoints {@code gone} (deleted). */
    void forget(Set<UUID> gone) {
        stats.keySet().removeIf(key -> gone.contains(key.endpointId()));
        stored.keySet().removeIf(key -> gone.contains(key.endpointId()));
    }

    /** A shadow's totals; {@code allControlPlanes} false when only this control plane's are in. */
    record Compared(ShadowStats.Totals totals, boolean allControlPlanes) {}

    @PreDestroy
    void close() {
        copies.shutdownNow();
    }
}
