package dev.canopy.api.endpoint;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.endpoint.EndpointEvent.Actor;
import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.endpoint.EndpointRecords.EndpointResponse;
import dev.canopy.api.error.InvalidState;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.CurrentCaller;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Changes that end or undo a promotion: a rollback in one call, and a canary's own decision to complete or roll
 * back. Each is an audit record.
 */
@ApplicationScoped
class EndpointRollbacks {

    /** The actor of changes the platform makes by itself. */
    static final Actor CANARY_POLICY = new Actor(null, "canopy (canary policy)");

    @Inject
    EndpointRepository endpoints;

    @Inject
    EndpointAudit audit;

    @Inject
    EndpointViews views;

    @Inject
    EndpointPromotions promotions;

    @Inject
    ModelService models;

    @Inject
    TeamAccess access;

    @Inject
    CurrentCaller caller;

    @Inject
    EndpointRoutes routes;

    @Inject
    LoadedVersions versions;

    /** Back in one call: drops a running canary, else a shadow, else makes the previous version live again. */
    EndpointResponse rollback(String team, String name, String reason) {
        TeamScope scope = access.write(team);
        Actor actor = new Actor(scope.userId(), caller.get().userName());
        Endpoint before = QuarkusTransaction.requiringNew().call(() -> endpoints.require(scope, name));
        boolean backToPrevious =
                before.canaryVersionId == null && before.shadowVersionId == null && before.previousVersionId != null;
        // Kept loaded from its warm-up until the change commits, as a promotion's candidate is.
        EndpointResponse response;
        try (LoadedVersions.Pin pinned =
                backToPrevious ? versions.pin(before.previousVersionId) : LoadedVersions.Pin.NONE) {
            if (backToPrevious) {
                warmOrFail(models.byIds(List.of(before.previousVersionId)).get(before.previousVersionId));
            }
            response = rollBack(scope, actor, name, reason, before);
        }
        promotions.changed(before.id);
        return response;
    }

    private EndpointResponse rollBack(TeamScope scope, Actor actor, String name, String reason, Endpoint before) {
        return routes.change(() -> QuarkusTransaction.requiringNew().call(() -> {
            // Deleted meanwhile: as if it had never been there.
            // What to undo was chosen (and warmed up) from the endpoint as read then: after a canary's own
            // decision or another call, the same rollback would undo something else.
            Endpoint endpoint = endpoints.lockedAsRead(
                    before,
                    name,
                    "endpoint '" + name + "' changed while the rollback was on its way (a canary decided, or another"
                            + " promotion or rollback); nothing was rolled back: look at it again and roll back if you"
                            + " still want to");
            // The warm-up may have taken a while: a token revoked, or a member removed, meanwhile changes nothing.
            access.recheckWrite(scope);
            Kind kind = endpoint.canaryVersionId != null
                    ? Kind.CANARY_ROLLED_BACK
                    : endpoint.shadowVersionId != null ? Kind.SHADOW_STOPPED : Kind.ROLLED_BACK;
            String why = kind == Kind.CANARY_ROLLED_BACK ? views.withCanaryOutcome(endpoint, reason) : reason;
            UUID from = endpoint.rollBack(DatabaseTime.now());
            UUID to = endpoint.liveVersionId;
            Map<UUID, RegisteredVersion> versions = models.byIds(List.of(from, to));
            audit.record(endpoint, kind, versions.get(from), versions.get(to), List.of(), actor, why);
            Log.infof(
                    "Endpoint %s rolled back from %s to %s",
                    name, versions.get(from).label(), versions.get(to).label());
            return views.toResponse(endpoint, null);
        }));
    }

    /**
     * Carries out a canary's own decision, unless that canary has ended meanwhile: a later canary, even of the same
     * version, has a canary id of its own and is not decided by an earlier one's watch.
     */
    void canaryDecided(UUID endpointId, UUID canaryId, UUID canaryVersionId, CanaryWatch.Decision decision) {
        Endpoint changed = routes.change(() -> QuarkusTransaction.requiringNew().call(() -> {
            Endpoint endpoint = endpoints.findByIdForUpdate(endpointId).orElse(null);
            if (endpoint == null
                    || !canaryId.equals(endpoint.canaryId)
                    || !canaryVersionId.equals(endpoint.canaryVersionId)) {
                return null;
            }
            UUID live = endpoint.liveVersionId;
            Map<UUID, RegisteredVersion> versions = models.byIds(List.of(live, canaryVersionId));
            if (decision.complete()) {
                endpoint.goLive(canaryVersionId, DatabaseTime.now());
                audit.record(
                        endpoint,
                        Kind.CANARY_COMPLETED,
                        versions.get(live),
                        versions.get(canaryVersionId),
                        List.of(),
                        CANARY_POLICY,
                        decision.reason());
            } else {
                endpoint.rollBack(DatabaseTime.now());
                audit.record(
                        endpoint,
                        Kind.CANARY_ROLLED_BACK,
                        versions.get(canaryVersionId),
                        versions.get(live),
                        List.of(),
                        CANARY_POLICY,
                        decision.reason());
            }
            return endpoint;
        }));
        if (changed != null) {
            promotions.changed(endpointId);
        }
    }

    private void warmOrFail(RegisteredVersion version) {
        GateResult result = promotions.warmUp(version);
        if (!result.passed()) {
            throw new InvalidState("cannot roll back to " + version.label() + ": " + result.detail());
        }
    }
}
