package dev.canopy.api.endpoint;

import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.TeamScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Endpoints' routes, read from the database at most once per {@code canopy.serving.route-cache-ttl} per endpoint,
 * so that predictions cost no database read for routing. When a cached route expires, one request reads it again
 * while the endpoint's other requests go on routing on the expired one; otherwise every request that arrived during
 * the read would read too (measured: under 64 clients those reads took a sixth of the serving CPU). A change made in
 * this process goes through {@link #change}: from the moment it commits, every request here routes on it, never on
 * a route cached before. Other control-plane instances see a change within the TTL and the time of one read, at
 * most twice the TTL: past that, requests read too.
 */
@ApplicationScoped
class EndpointRoutes {

    private record Key(UUID teamId, String name) {}

    /** A route and the {@link #generation} before it was read. */
    private record Cached(Route route, long generation) {}

    @Inject
    EndpointRepository endpoints;

    @Inject
    ModelService models;

    @Inject
    ServingConfig config;

    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();
    /** Endpoints whose expired route one request is reading again now. */
    private final Set<Key> reading = ConcurrentHashMap.newKeySet();
    /** Moves on when a change begins and when it ends: a route read before either is not used after it. */
    private final AtomicLong generation = new AtomicLong();
    /** Changes running now; while any runs, routes are read from the database. */
    private final AtomicInteger changes = new AtomicInteger();

    /** The endpoint's route, cached. @throws NotFound when the team has no such endpoint */
    Route route(TeamScope scope, String name) {
        Key key = new Key(scope.teamId(), name);
        Cached cached = cache.get(key);
        if (cached == null || changes.get() != 0 || cached.generation() != generation.get()) {
            return refresh(scope, name);
        }
        long age = System.nanoTime() - cached.route().readAtNanos();
        long ttl = config.routeCacheTtl().toNanos();
        if (age < ttl) {
            return cached.route();
        }
        boolean mine = reading.add(key);
        // Another request is reading it again: this one does not wait for that read, unless the read has taken so
        // long that the route is twice the TTL old (and with a TTL of 0, every request reads).
        if (!mine && age < 2 * ttl) {
            return cached.route();
        }
        try {
            return refresh(scope, name);
        } finally {
            if (mine) {
                reading.remove(key);
            }
        }
    }

    /** The endpoint's route read from the database now. @throws NotFound when the team has no such endpoint */
    Route refresh(TeamScope scope, String name) {
        Key key = new Key(scope.teamId(), name);
        long before = generation.get();
        Route route;
        try {
            route = QuarkusTransaction.joiningExisting().call(() -> read(scope, name));
        } catch (NotFound e) {
            cache.remove(key);
            throw e;
        }
        cache.put(key, new Cached(route, before));
        return route;
    }

    /**
     * Runs {@code change}, which commits a change to endpoints' routes, so that no request routes on a route read
     * before it committed: while it runs, routes are read from the database, and those cached before it are dropped
     * when it ends.
     */
    <T> T change(Supplier<T> change) {
        changes.incrementAndGet();
        generation.incrementAndGet();
        try {
            return change.get();
        } finally {
            generation.incrementAndGet();
            changes.decrementAndGet();
        }
    }

    /** The versions any endpoint serves, live, canary or shadow, from the database. */
    List<UUID> servedVersions() {
        return QuarkusTransaction.joiningExisting().call(() -> endpoints.listAll().stream()
                .flatMap(e -> e.servedVersionIds().stream())
                .toList());
    }

    private Route read(TeamScope scope, String name) {
        Endpoint e =
                endpoints.findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("endpoint", name));
        Map<UUID, RegisteredVersion> versions = models.byIds(e.servedVersionIds());
        return new Route(
                e.id,
                scope.teamName(),
                e.name,
                e.liveVersionId == null ? null : versions.get(e.liveVersionId),
                e.canaryVersionId == null ? null : versions.get(e.canaryVersionId),
                e.canaryId,
                e.canaryPercent == null ? 0 : e.canaryPercent,
                e.canaryPolicy,
                e.shadowVersionId == null ? null : versions.get(e.shadowVersionId),
                e.shadowId,
                e.batchingSettings().resolve(config),
                System.nanoTime());
    }
}
