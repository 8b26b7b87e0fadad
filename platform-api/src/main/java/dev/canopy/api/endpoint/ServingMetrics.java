package dev.canopy.api.endpoint;

import dev.canopy.api.config.DaemonThreads;
import dev.canopy.api.model.RegisteredVersion;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Per endpoint and version: request, error and prediction counts and latency, in the API (summed over control
 * planes) and in {@code /q/metrics} ({@code canopy_endpoint_requests_seconds}, tagged team, endpoint, version,
 * outcome; this process's); and each canary's watch, whose decision is carried out on a worker thread. Every {@code
 * canopy.serving.pool-every} this control plane stores its counts (and its shadows', {@link ShadowTraffic}) for the
 * others ({@link ServingPool}), and each watch reports what it saw and takes in what the others saw, so that
 * canaries decide on all of their traffic; a watch whose canary ended elsewhere is dropped then.
 */
@ApplicationScoped
class ServingMetrics {

    private record Key(UUID endpointId, UUID versionId) {}

    @Inject
    ServingMeters meters;

    @Inject
    DeletedEndpoints deleted;

    @Inject
    EndpointRollbacks rollbacks;

    @Inject
    ServingPool pool;

    @Inject
    ServingConfig config;

    @Inject
    ServingEnergyLedger energy;

    @Inject
    ShadowTraffic shadows;

    @Inject
    LoadedVersions versions;

    /** A canary being watched here: the route it was first seen on (its endpoint and versions) and the watch. */
    private record Watched(Route route, CanaryWatch watch) {}

    private final Map<Key, ServingStats> stats = new ConcurrentHashMap<>();
    /** What {@link #exchange} last stored of each entry of {@link #stats}; written by the pooling thread only. */
    private final Map<Key, ServingStats.Totals> stored = new ConcurrentHashMap<>();
    /** By canary id. */
    private final Map<UUID, Watched> watches = new ConcurrentHashMap<>();

    private final ExecutorService decisions =
            Executors.newSingleThreadExecutor(DaemonThreads.named("canopy-canary-decisions"));
    private final ScheduledExecutorService pooling =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canopy-serving-pool"));

    @PostConstruct
    void startPooling() {
        long every = config.poolEvery().toMillis();
        pooling.scheduleWithFixedDelay(this::exchange, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Stores what was served since the last pooling, and what this process saw of running canaries, so that the
     * totals and the canaries' policies miss none of this process's requests after it stops. The loaded versions are
     * unloaded first, so that the requests still under way finish (and their counts and CPU time are charged) before
     * the last store. Runs before the embedded database stops; not at all in a process that never served.
     */
    void storeOnStop(@Observes(notifyObserver = Reception.IF_EXISTS) ShutdownEvent event) {
        pooling.shutdown();
        try {
            if (!pooling.awaitTermination(5, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        versions.unloadAll();
        store();
        watches.forEach((canaryId, watched) -> poolCanary(canaryId, watched, false));
    }

    @PreDestroy
    void close() {
        pooling.shutdownNow();
        decisions.shutdown();
    }

    /**
     * Stores what this control plane served, and what serving cost, that changed since the last call; reports each
     * watched canary to the other control planes and decides on the pooled counts.
     */
    void exchange() {
        store();
        deleted.forgetIfDue();
        if (watches.isEmpty()) {
            return;
        }
        watches.forEach((canaryId, watched) -> poolCanary(canaryId, watched, true));
        try {
            pool.deleteEnded();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("Ended canaries' counts could not be deleted: %s", e.getMessage());
        }
    }

    private void store() {
        try {
            storeServed();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("Serving counts could not be stored for other control planes: %s", e.getMessage());
        }
        try {
            energy.store();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("Serving energy could not be stored for other control planes: %s", e.getMessage());
        }
        try {
            shadows.store();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("Shadow comparisons could not be stored for other control planes: %s", e.getMessage());
        }
    }

    void succeeded(Route route, RegisteredVersion version, boolean onCanary, long nanos, int records) {
        stats(route, version).succeeded(nanos, records);
        meters.of(route, version).success().record(nanos, TimeUnit.NANOSECONDS);
        watch(route, onCanary, nanos, false);
    }

    void failed(Route route, RegisteredVersion version, boolean onCanary, long nanos) {
        stats(route, version).failed(nanos);
        meters.of(route, version).error().record(nanos, TimeUnit.NANOSECONDS);
        watch(route, onCanary, nanos, true);
    }

    /**
     * A request that failed before the version could answer it (its load failed): an error, whose wait is the
     * load's, not the version's latency (nor, for a canary, an answer it served); the error timer has its time.
     */
    void failedUnanswered(Route route, RegisteredVersion version, boolean onCanary, long nanos) {
        stats(route, version).failedUnanswered();
        meters.of(route, version).error().record(nanos, TimeUnit.NANOSECONDS);
        watched(route).ifPresent(w -> w.watch().refused(onCanary).ifPresent(d -> carryOut(w, d)));
    }

    /**
     * Reports what this control plane saw of the canary to the others and, with {@code decide}, decides on what they
     * all saw (or forgets the canary once it has ended). Each canary on its own: one that fails (its endpoint deleted
     * between reads, say) is logged and does not hold up the others.
     */
    private void poolCanary(UUID canaryId, Watched watched, boolean decide) {
        try {
            Optional<CanaryWatch.Seen> others = pool.exchange(
                    watched.route().endpointId(), canaryId, watched.watch().local());
            if (!decide) {
                return;
            }
            if (others.isEmpty()) {
                watches.remove(canaryId, watched);
            } else {
                watched.watch().pool(others.get()).ifPresent(d -> carryOut(watched, d));
            }
        } catch (SQLException | RuntimeException e) {
            Log.warnf(
                    "Counts of canary %s could not be pooled with other control planes: %s", canaryId, e.getMessage());
        }
    }

    void rejected(Route route, RegisteredVersion version, boolean onCanary) {
        stats(route, version).rejected();
        meters.of(route, version).rejected().increment();
        watched(route).ifPresent(w -> w.watch().refused(onCanary).ifPresent(d -> carryOut(w, d)));
    }

    /** What {@code versionId} has served on the endpoint in this process (empty stats when nothing). */
    ServingStats of(UUID endpointId, UUID versionId) {
        return stats.getOrDefault(new Key(endpointId, versionId), new ServingStats());
    }

    private void storeServed() throws SQLException {
        List<ServingPool.Served> changed = new ArrayList<>();
        for (Map.Entry<Key, ServingStats> entry : stats.entrySet()) {
            ServingStats.Totals now = entry.getValue().totals();
            if (!now.equals(stored.get(entry.getKey()))) {
                changed.add(new ServingPool.Served(
                        entry.getKey().endpointId(), entry.getKey().versionId(), now));
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        pool.store(changed);
        changed.forEach(s -> stored.put(new Key(s.endpointId(), s.versionId()), s.totals()));
    }

    /**
     * What the version has served on the endpoint, summed over control planes (those that stopped included): this
     * one's counts as they are now, the others' as they last stored them (about a second ago). When the others'
     * cannot be read, this one's alone, and {@code complete} is false.
     */
    Served served(UUID endpointId, UUID versionId) {
        ServingStats.Totals here = of(endpointId, versionId).totals();
        try {
            return new Served(here.plus(pool.servedElsewhere(endpointId, versionId)), true);
        } catch (SQLException e) {
            Log.warnf("Serving counts of other control planes could not be read: %s", e.getMessage());
            return new Served(here, false);
        }
    }

    /** Totals of a version on an endpoint; {@code complete} false when only this control plane's are in. */
    record Served(ServingStats.Totals totals, boolean complete) {}

    /**
     * What all control planes saw of the canary: this one's counts as they are now, the others' as last reported.
     */
    CanaryWatch.Seen canaryTraffic(UUID canaryId) throws SQLException {
        Watched watched = watches.get(canaryId);
        return watched == null
                ? pool.reported(canaryId, true)
                : watched.watch().local().plus(pool.reported(canaryId, false));
    }

    /** Forgets the endpoint's canary watches but that of {@code runningCanaryId} (null: no canary runs now). */
    void canaryEnded(UUID endpointId, UUID runningCanaryId) {
        watches.entrySet()
                .removeIf(w -> w.getValue().route().endpointId().equals(endpointId)
                        && !w.getKey().equals(runningCanaryId));
    }

    /** Adds the endpoints this control plane has served counts of to {@code into}. */
    void endpoints(Set<UUID> into) {
        stats.keySet().forEach(key -> into.add(key.endpointId()));
    }

    /** Forgets the served counts of the endpoints {@code gone} (deleted). */
    void forget(Set<UUID> gone) {
        stats.keySet().removeIf(key -> gone.contains(key.endpointId()));
        stored.keySet().removeIf(key -> gone.contains(key.endpointId()));
    }

    private ServingStats stats(Route route, RegisteredVersion version) {
        return stats.computeIfAbsent(new Key(route.endpointId(), version.id()), k -> new ServingStats());
    }

    private void watch(Route route, boolean onCanary, long nanos, boolean error) {
        watched(route).ifPresent(w -> w.watch().record(onCanary, nanos, error).ifPresent(d -> carryOut(w, d)));
    }

    /** The watch of the route's canary; empty when it has none. */
    private Optional<Watched> watched(Route route) {
        return route.canary() == null
                ? Optional.empty()
                : Optional.of(watches.computeIfAbsent(
                        route.canaryId(), k -> new Watched(route, new CanaryWatch(route.policy()))));
    }

    private void carryOut(Watched watched, CanaryWatch.Decision d) {
        Route route = watched.route();
        Log.infof(
                "Canary %s on endpoint %s decided: %s (%s)",
                route.canary().label(), route.name(), d.complete() ? "complete" : "roll back", d.reason());
        decisions.execute(() -> {
            try {
                rollbacks.canaryDecided(
                        route.endpointId(), route.canaryId(), route.canary().id(), d);
            } catch (RuntimeException e) {
                // A database that failed for a moment must not leave a failing canary serving until a person acts.
                // (A failure after the decision committed only makes the next try find the canary ended.)
                Log.warnf(
                        "Canary %s on endpoint %s: carrying out the decision failed (%s); the next request or"
                                + " pooling round decides again",
                        route.canary().label(), route.name(), e.toString());
                watched.watch().undecided();
            }
        });
    }
}
