package dev.canopy.api.endpoint;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.endpoint.EndpointEvent.Actor;
import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.endpoint.EndpointRecords.BatchingView;
import dev.canopy.api.endpoint.EndpointRecords.CanaryTraffic;
import dev.canopy.api.endpoint.EndpointRecords.CanaryView;
import dev.canopy.api.endpoint.EndpointRecords.CreateEndpointRequest;
import dev.canopy.api.endpoint.EndpointRecords.EndpointResponse;
import dev.canopy.api.endpoint.EndpointRecords.EventResponse;
import dev.canopy.api.endpoint.EndpointRecords.Latency;
import dev.canopy.api.endpoint.EndpointRecords.ShadowView;
import dev.canopy.api.endpoint.EndpointRecords.VersionServing;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.CurrentCaller;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.Batching;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityNotFoundException;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
    EndpointServing serving;

    @Inject
    ServingMetrics metrics;

    @Inject
    ShadowTraffic shadows;

    @Inject
    ServingConfig config;

    @Inject
    ServingEnergyLedger energy;

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
        return toResponse(endpoint, request.model());
    }

    @Transactional
    List<EndpointResponse> list(String team) {
        TeamScope scope = access.read(team);
        return endpoints.findByTeam(scope.teamId()).stream()
                .map(e -> toResponse(e, null))
                .toList();
    }

    @Transactional
    EndpointResponse get(String team, String name) {
        return toResponse(find(access.read(team), name), null);
    }

    /** Deletes the endpoint and its audit trail; a version no other endpoint serves is unloaded. */
    void delete(String team, String name) {
        TeamScope scope = access.write(team);
        Actor actor = new Actor(scope.userId(), caller.get().userName());
        Endpoint endpoint =
                routes.change(() -> QuarkusTransaction.requiringNew().call(() -> {
                    Endpoint found = find(scope, name);
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
                                withCanaryOutcome(found, "the endpoint was deleted"),
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
        serving.unloadAllBut(new HashSet<>(routes.servedVersions()));
    }

    /** The name of the model the team's endpoint serves, if the endpoint exists. */
    public Optional<String> modelOf(TeamScope scope, String name) {
        return endpoints.findByTeamAndName(scope.teamId(), name).map(e -> models.modelName(e.modelId));
    }

    /**
     * The endpoint's audit trail, newest first; for a name the team no longer has an endpoint under, the records
     * of its deleted endpoints (404 when there never was one).
     */
    List<EventResponse> history(String team, String name) {
        TeamScope scope = access.read(team);
        Optional<UUID> endpoint = QuarkusTransaction.requiringNew().call(() -> idOf(scope, name));
        if (endpoint.isPresent()) {
            return audit.history(endpoint.get());
        }
        List<EventResponse> deleted = audit.historyOfDeleted(scope.teamId(), name);
        if (deleted.isEmpty()) {
            throw new NotFound("endpoint", name);
        }
        return deleted;
    }

    Optional<UUID> idOf(TeamScope scope, String name) {
        return endpoints.findByTeamAndName(scope.teamId(), name).map(e -> e.id);
    }

    Endpoint find(TeamScope scope, String name) {
        return endpoints.findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("endpoint", name));
    }

    EndpointResponse toResponse(Endpoint e, String modelName) {
        List<UUID> ids = new ArrayList<>();
        for (UUID id : new UUID[] {e.liveVersionId, e.previousVersionId, e.canaryVersionId, e.shadowVersionId}) {
            if (id != null) {
                ids.add(id);
            }
        }
        Map<UUID, RegisteredVersion> versions = models.byIds(ids);
        RegisteredVersion live = versions.get(e.liveVersionId);
        RegisteredVersion canary = versions.get(e.canaryVersionId);
        RegisteredVersion previous = versions.get(e.previousVersionId);
        RegisteredVersion shadow = versions.get(e.shadowVersionId);
        List<VersionServing> serving = new ArrayList<>();
        if (live != null) {
            serving.add(servingOf(e, live, "live"));
        }
        if (canary != null) {
            serving.add(servingOf(e, canary, "canary"));
        }
        return new EndpointResponse(
                e.name,
                modelName != null ? modelName : models.modelName(e.modelId),
                live == null ? "EMPTY" : canary == null ? "LIVE" : "CANARY",
                live == null ? null : live.version(),
                previous == null ? null : previous.version(),
                canary == null
                        ? null
                        : new CanaryView(canary.version(), e.canaryPercent, e.canaryPolicy, canaryTraffic(e)),
                shadow == null ? null : shadowOf(e, shadow),
                serving,
                batchingOf(e),
                e.createdAt,
                e.updatedAt);
    }

    /** Characters an audit record's reason holds (the column's size). */
    static final int MAX_REASON = 2000;

    /**
     * {@code reason} followed by what the endpoint's running canary served until now, for the record of its end by a
     * person or a promotion (the policy's own decisions say it in their reasons): its counts leave the endpoint's view
     * when it ends. Just {@code reason} when the counts cannot be read.
     */
    String withCanaryOutcome(Endpoint e, String reason) {
        CanaryTraffic t = canaryTraffic(e);
        if (t == null) {
            return reason;
        }
        String outcome = String.format(
                Locale.ROOT,
                "the canary served %d requests (errors %.2f %% against live %.2f %% over %d, p99 %.2f ms against"
                        + " %.2f ms%s)",
                t.canaryRequests(),
                percent(t.canaryErrors(), t.canaryRequests()),
                percent(t.liveErrors(), t.liveRequests()),
                t.liveRequests(),
                t.canaryP99Ms(),
                t.liveP99Ms(),
                t.controlPlanes() > 1 ? ", " + t.controlPlanes() + " control planes" : "");
        if (reason == null || reason.isBlank()) {
            return outcome;
        }
        // The record's reason holds 2,000 characters, as much as a request's reason may have: the person's words are
        // cut, not the counts.
        int room = MAX_REASON - outcome.length() - 2;
        return (reason.length() <= room ? reason : reason.substring(0, room - 1) + "…") + "; " + outcome;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private CanaryTraffic canaryTraffic(Endpoint e) {
        try {
            CanaryWatch.Seen seen = metrics.canaryTraffic(e.canaryId);
            return new CanaryTraffic(
                    seen.controlPlanes(),
                    seen.live().requests(),
                    seen.live().errors(),
                    seen.live().latency().quantileNanos(0.99) / 1e6,
                    seen.canary().requests(),
                    seen.canary().errors(),
                    seen.canary().latency().quantileNanos(0.99) / 1e6);
        } catch (SQLException ex) {
            Log.warnf("The canary traffic of endpoint %s could not be read: %s", e.name, ex.getMessage());
            return null;
        }
    }

    private BatchingView batchingOf(Endpoint e) {
        EndpointBatching settings = e.batchingSettings();
        Batching batching = settings.resolve(config);
        return new BatchingView(
                batching.enabled(),
                batching.maxBatchRecords(),
                EndpointBatching.millis(batching.maxWait()),
                settings.fieldsSet());
    }

    private ShadowView shadowOf(Endpoint e, RegisteredVersion version) {
        ShadowTraffic.Compared compared = shadows.of(e.id, version.id());
        ShadowStats.Totals t = compared.totals();
        return new ShadowView(
                version.version(),
                t.copies(),
                t.dropped(),
                t.errors(),
                t.compared(),
                t.agreed(),
                t.disagreed(),
                t.meanAbsoluteDifference(),
                latency(t.latency()),
                compared.allControlPlanes());
    }

    private static Latency latency(LatencyHistogram.Counts histogram) {
        return new Latency(
                histogram.quantileNanos(0.5) / 1e6,
                histogram.quantileNanos(0.95) / 1e6,
                histogram.quantileNanos(0.99) / 1e6);
    }

    private VersionServing servingOf(Endpoint e, RegisteredVersion version, String role) {
        ServingMetrics.Served served = metrics.served(e.id, version.id());
        ServingStats.Totals totals = served.totals();
        return new VersionServing(
                version.version(),
                role,
                totals.requests(),
                totals.errors(),
                totals.rejected(),
                totals.predictions(),
                latency(totals.latency()),
                served.complete(),
                energy.perThousand(version.id()));
    }
}
