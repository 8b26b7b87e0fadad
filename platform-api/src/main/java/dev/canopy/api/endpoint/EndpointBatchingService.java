package dev.canopy.api.endpoint;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.endpoint.EndpointEvent.Actor;
import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.endpoint.EndpointRecords.EndpointResponse;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.team.CurrentCaller;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** An endpoint's own micro-batching settings ({@code PUT .../endpoints/{endpoint}/batching}). */
@ApplicationScoped
class EndpointBatchingService {

    @Inject
    EndpointRepository endpoints;

    @Inject
    EndpointViews views;

    @Inject
    EndpointRoutes routes;

    @Inject
    EndpointAudit audit;

    @Inject
    TeamAccess access;

    @Inject
    CurrentCaller caller;

    @Inject
    ServingConfig config;

    /**
     * Replaces the endpoint's micro-batching settings ({@code settings}' null fields: the platform's defaults) and
     * records the change; this control plane serves with them from the next request, others within {@code
     * canopy.serving.route-cache-ttl}.
     */
    EndpointResponse setBatching(String team, String name, EndpointBatching settings) {
        TeamScope scope = access.write(team);
        Actor actor = new Actor(scope.userId(), caller.get().userName());
        EndpointBatching stored = EndpointBatching.toStore(settings);
        EndpointResponse response =
                routes.change(() -> QuarkusTransaction.requiringNew().call(() -> {
                    // Read under the lock, not before it: a promotion committing meanwhile must not be written
                    // back as it was.
                    Endpoint endpoint = endpoints
                            .findByTeamAndNameForUpdate(scope.teamId(), name)
                            .orElseThrow(() -> new NotFound("endpoint", name));
                    String before = EndpointBatching.describe(
                            endpoint.batchingSettings().resolve(config));
                    endpoint.batching = stored;
                    endpoint.updatedAt = DatabaseTime.now();
                    String after = EndpointBatching.describe(
                            endpoint.batchingSettings().resolve(config));
                    audit.record(
                            endpoint,
                            Kind.BATCHING_CHANGED,
                            null,
                            null,
                            List.of(),
                            actor,
                            "batching " + after + " (was " + before + ")");
                    return views.toResponse(endpoint, null);
                }));
        Log.infof("Endpoint %s in team %s: batching %s", name, team, response.batching());
        return response;
    }
}
