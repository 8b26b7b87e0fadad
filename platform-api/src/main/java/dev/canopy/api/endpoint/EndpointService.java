package dev.canopy.api.endpoint;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.endpoint.EndpointEvent.Actor;
import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.endpoint.EndpointRecords.CreateEndpointRequest;
import dev.canopy.api.endpoint.EndpointRecords.EndpointResponse;
import dev.canopy.api.endpoint.EndpointRecords.EventResponse;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.CurrentCaller;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityNotFoundException;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A team's endpoints: creating, listing, showing (with what each version served) and deleting them. */
@ApplicationScoped
public class EndpointService {

    @Inject
    EndpointRepository endpoints;

    @Inject
    ModelService models;

    @Inject
    TeamAccess access;

    @Inject
    EndpointRoutes routes;

    @Inject
    LoadedVersions versions;

    @Inject
    EndpointViews views;

    @Inject
    EndpointAudit audit;

    @Inject
    CurrentCaller caller;

    @Transactional
    EndpointResponse create(String team, CreateEndpointRequest request) {
        TeamScope scope = access.write(team);
        UUID model = models.modelId(scope, request.model());
        if (endpoints.findByTeamAndName(scope.teamId(), request.name()).isPresent()) {
            throw new Conflict("endpoint '" + request.name() + "' already exists", "name", "is taken");
        }
        Endpoint endpoint = new Endpoint(scope.teamId(), request.name(), model, DatabaseTime.now());
        endpoint.batching = EndpointBatching.toStore(request.batching());
        endpoints.persist(endpoint);
        Log.infof(
                "Endpoint %s (%s) created in team %s for model %s", endpoint.name, endpoint.id, team, request.model());
        return views.toResponse(endpoint, request.model());
    }

    @Transactional
    List<EndpointResponse> list(String team) {
        TeamScope scope = access.read(team);
        return endpoints.findByTeam(scope.teamId()).stream()
                .map(e -> views.toResponse(e, null))
                .toList();
    }

    @Transactional
    EndpointResponse get(String team, String name) {
        return views.toResponse(endpoints.require(access.read(team), name), null);
    }

    /** Deletes the endpoint and its audit trail; a version no other endpoint serves is unloaded. */
    void delete(String team, String name) {
        TeamScope scope = access.write(team);
        Actor actor = new Actor(scope.userId(), caller.get().userName());
        Endpoint endpoint =
                routes.change(() -> QuarkusTransaction.requiringNew().call(() -> {
                    Endpoint found = endpoints.require(scope, name);
                    // Locked and read again: a promotion committing meanwhile (a canary started) is seen and ended
                    // on the record, and a second delete at the same moment finds nothing.
                    try {
                        endpoints.getEntityManager().refresh(found, LockModeType.PESSIMISTIC_WRITE);
                    } catch (EntityNotFoundException e) {
                        throw new NotFound("endpoint", name);
                    }
                    // The audit trail stays: it ends what was running, with what it served, and its last record
                    // says who deleted the endpoint and which version was live.
                    List<UUID> ids = new ArrayList<>();
                    for (UUID id : new UUID[] {found.liveVersionId, found.canaryVersionId, found.shadowVersionId}) {
                        if (id != null) {
                            ids.add(id);
                        }
                    }
                    Map<UUID, RegisteredVersion> versions = models.byIds(ids);
                    RegisteredVersion live = found.liveVersionId == null ? null : versions.get(found.liveVersionId);
                    Instant now = DatabaseTime.now();
                    if (found.canaryVersionId != null) {
                        audit.record(
                                found,
                                Kind.CANARY_ROLLED_BACK,
                                versions.get(found.canaryVersionId),
                                live,
                                List.of(),
                                actor,
                                views.withCanaryOutcome(found, "the endpoint was deleted"),
                                now);
                    }
                    if (found.shadowVersionId != null) {
                        audit.record(
                                found,
                                Kind.SHADOW_STOPPED,
                                versions.get(found.shadowVersionId),
                                live,
                                List.of(),
                                actor,
                                "the endpoint was deleted",
                                now);
                    }
                    audit.record(found, Kind.DELETED, live, null, List.of(), actor, null, now.plusNanos(1_000));
                    endpoints.delete(found);
                    return found;
                }));
        Log.infof("Endpoint %s (%s) deleted from team %s", name, endpoint.id, team);
        versions.unloadUnserved();
    }

    /** The name of the model the team's endpoint serves, if the endpoint exists. */
    public Optional<String> modelOf(TeamScope scope, String name) {
        return endpoints.findByTeamAndName(scope.teamId(), name).map(e -> models.modelName(e.modelId));
    }

    /** The version live on the team's endpoint, if the endpoint exists and has one. */
    public Optional<UUID> liveVersionOf(TeamScope scope, String name) {
        return endpoints.findByTeamAndName(scope.teamId(), name).map(e -> e.liveVersionId);
    }

    /**
     * A page of the endpoint's audit trail, newest first; for a name the team no longer has an endpoint under, the
     * records of its deleted endpoints (404 when there never was one).
     */
    List<EventResponse> history(String team, String name, HistoryPage page) {
        TeamScope scope = access.read(team);
        Optional<UUID> endpoint = QuarkusTransaction.requiringNew().call(() -> idOf(scope, name));
        if (endpoint.isPresent()) {
            return audit.history(endpoint.get(), page);
        }
        List<EventResponse> deleted = audit.historyOfDeleted(scope.teamId(), name, page);
        if (deleted.isEmpty()
                && audit.historyOfDeleted(scope.teamId(), name, new HistoryPage(0, 1, null))
                        .isEmpty()) {
            throw new NotFound("endpoint", name);
        }
        return deleted;
    }

    Optional<UUID> idOf(TeamScope scope, String name) {
        return endpoints.findByTeamAndName(scope.teamId(), name).map(e -> e.id);
    }
}
