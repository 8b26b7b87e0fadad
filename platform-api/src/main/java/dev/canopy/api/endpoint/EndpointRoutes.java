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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Endpoints' routes, read from the database at most once per {@code canopy.serving.route-cache-ttl} per endpoint
 * and at once after a change made in this process, so that predictions cost no database read for routing. Other
 * control-plane instances see a change within the TTL.
 */
@ApplicationScoped
class EndpointRoutes {

    private record Key(UUID teamId, String name) {}

    @Inject
    EndpointRepository endpoints;

    @Inject
    ModelService models;

    @Inject
    ServingConfig config;

    private final Map<Key, Route> cache = new ConcurrentHashMap<>();

    /** The endpoint's route, cached. @throws NotFound when the team has no such endpoint */
    Route route(TeamScope scope, String name) {
        Route cached = cache.get(new Key(scope.teamId(), name));
        if (cached != null
                && System.nanoTime() - cached.readAtNanos()
                        < config.routeCacheTtl().toNanos()) {
            return cached;
        }
        return refresh(scope, name);
    }

    /** The endpoint's route read from the database now. */
    Route refresh(TeamScope scope, String name) {
        Route route = QuarkusTransaction.joiningExisting().call(() -> read(scope, name));
        cache.put(new Key(scope.teamId(), name), route);
        return route;
    }

    /** Forgets the endpoint's cached route; the next request reads it again. */
    void forget(UUID teamId, String name) {
        cache.remove(new Key(teamId, name));
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
                e.batchingSettings().resolve(config),
                System.nanoTime());
    }
}
