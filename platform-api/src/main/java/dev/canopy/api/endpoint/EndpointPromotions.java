package dev.canopy.api.endpoint;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.endpoint.EndpointEvent.Actor;
import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.endpoint.EndpointRecords.EventResponse;
import dev.canopy.api.endpoint.EndpointRecords.PromotionRequest;
import dev.canopy.api.error.ErrorResponse;
import dev.canopy.api.error.InvalidRequest;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Promotions through gates (straight to live, as a canary or as a shadow); each is an audit record, refusals too.
 * A version is loaded and warmed up before it takes traffic, and the version it replaces keeps answering the
 * requests it has until it is unloaded. Rollbacks and canaries' own decisions are {@link EndpointRollbacks}'.
 */
@ApplicationScoped
public class EndpointPromotions {

    @Inject
    EndpointRepository endpoints;

    @Inject
    EndpointAudit audit;

    @Inject
    EndpointViews views;

    @Inject
    ModelService models;

    @Inject
    TeamAccess access;

    @Inject
    CurrentCaller caller;

    @Inject
    LoadedVersions versions;

    @Inject
    EndpointRoutes routes;

    @Inject
    ServingMetrics metrics;

    @Inject
    HeldOutGate heldOut;

    /**
     * Promotes a version onto the endpoint if every gate passes; a refused promotion is recorded and changes
     * nothing.
     *
     * @throws InvalidState (409) when a gate fails, listing the failed gates; or when the version cannot be loaded
     */
    EventResponse promote(String team, String name, PromotionRequest request) {
        TeamScope scope = access.write(team);
        // The gates may take minutes: a token revoked, or a member removed, meanwhile changes nothing.
        return promote(
                scope,
                new Actor(scope.userId(), caller.get().userName()),
                name,
                request,
                () -> access.recheckWrite(scope));
    }

    /**
     * {@link #promote} for work the platform does on a user's behalf (a schedule's promoteTo), through {@code
     * gates}. A refusal is recorded like any other and thrown. {@code stillWanted} runs in the transaction that
     * would make the change, just before it (the gates may have taken minutes): an exception from it calls the
     * promotion off and is thrown.
     */
    public void promoteAs(
            TeamScope scope,
            String actorName,
            String endpoint,
            String version,
            List<GateSpec> gates,
            String reason,
            Runnable stillWanted) {
        promote(
                scope,
                new Actor(scope.userId(), actorName),
                endpoint,
                new PromotionRequest(version, gates, null, null, null, reason),
                stillWanted);
    }

    private EventResponse promote(
            TeamScope scope, Actor actor, String name, PromotionRequest request, Runnable stillWanted) {
        List<GateSpec> gates = GateSpec.checkedAll(request.gates(), "gates");
        if (Boolean.TRUE.equals(request.shadow()) && request.canaryPercent() != null) {
            throw new InvalidRequest("shadow", "a version is either a canary or a shadow, not both");
        }
        if (request.canary() != null && request.canaryPercent() == null) {
            throw new InvalidRequest("canary", "a canary policy needs canaryPercent, the share of traffic to send");
        }
        CanaryPolicy policy = request.canaryPercent() == null ? null : canaryPolicy(request);
        Endpoint before = QuarkusTransaction.requiringNew().call(() -> endpoints.require(scope, name));
        RegisteredVersion candidate = models.resolve(scope, models.modelName(before.modelId), request.version());
        RegisteredVersion live = before.liveVersionId == null
                ? null
                : models.byIds(List.of(before.liveVersionId)).get(before.liveVersionId);
        PromotionGates.checkSameTask(name, candidate, live);
        boolean trial = policy != null || Boolean.TRUE.equals(request.shadow());
        if (trial && live != null && candidate.id().equals(live.id())) {
            throw new InvalidState(candidate.label() + " is already live on endpoint '" + name
                    + "'; a canary or a shadow compares another version with it");
        }
        if (Boolean.TRUE.equals(request.shadow()) && candidate.id().equals(before.canaryVersionId)) {
            throw new InvalidState(candidate.label() + " is the canary of endpoint '" + name
                    + "': it already answers part of the traffic, a shadow of it would compare it with itself");
        }
        List<GateResult> results = new ArrayList<>();
        for (int i = 0; i < gates.size(); i++) {
            GateSpec gate = gates.get(i);
            try {
                results.add(
                        GateSpec.HELD_OUT.equals(gate.type())
                                ? heldOut.evaluate(scope, gate, candidate, live)
                                : PromotionGates.evaluate(gate, candidate, live));
            } catch (InvalidRequest e) {
                throw e.within("gates[" + i + "]");
            }
        }
        if (!trial && live != null && candidate.id().equals(live.id()) && before.canaryVersionId == null) {
            // With a canary running, promoting the live version ends the canary; otherwise it changes nothing (a
            // shadow goes on beside any live version), and a record saying "promoted" would be false. (After the
            // gates: a malformed request is still 400.)
            throw new InvalidState(candidate.label() + " is already live on endpoint '" + name + "'; nothing to do");
        }
        // Kept loaded from its warm-up until the change commits: another endpoint's change, or the sweep, unloads
        // what no endpoint serves yet.
        EndpointEvent event;
        String changed = "endpoint '" + name + "' changed while the gates were checked; promote again";
        try (LoadedVersions.Pin pinned = versions.pin(candidate.id())) {
            if (results.stream().allMatch(GateResult::passed)) {
                results.add(warmUp(candidate));
            }
            if (!results.stream().allMatch(GateResult::passed)) {
                // Nothing changed, so the record is the transaction's only write; an endpoint deleted meanwhile is
                // 404, as for a promotion that passed, and its trail still ends with its deletion.
                QuarkusTransaction.requiringNew().run(() -> {
                    // Judged against the endpoint as read before the gates: changed since, the refusal is stale too.
                    Endpoint endpoint = endpoints.lockedAsRead(before, name, changed);
                    // Called off meanwhile (a schedule paused, a token revoked): nothing to record.
                    stillWanted.run();
                    audit.record(endpoint, Kind.REJECTED, live, candidate, results, actor, request.reason());
                });
                Log.infof("Promotion of %s to endpoint %s refused by its gates", candidate.label(), name);
                throw new InvalidState(
                        "promotion of " + candidate.label() + " to endpoint '" + name + "' refused: "
                                + results.stream().filter(r -> !r.passed()).count() + " gate(s) failed; the live"
                                + " version is unchanged",
                        results.stream()
                                .filter(r -> !r.passed())
                                .map(r -> new ErrorResponse.Detail("gates", r.gate() + ": " + r.detail()))
                                .toList());
            }
            event = routes.change(() -> QuarkusTransaction.requiringNew().call(() -> {
                // The gates and the checks above were of the endpoint as read then (a shadow must not be the
                // canary that another promotion started meanwhile, say).
                Endpoint endpoint = endpoints.lockedAsRead(before, name, changed);
                stillWanted.run();
                Instant now = DatabaseTime.now();
                recordReplaced(endpoint, candidate, live, Boolean.TRUE.equals(request.shadow()), policy, actor, now);
                Kind kind;
                if (Boolean.TRUE.equals(request.shadow())) {
                    endpoint.startShadow(candidate.id(), now);
                    kind = Kind.SHADOW_STARTED;
                } else if (policy != null) {
                    endpoint.startCanary(candidate.id(), request.canaryPercent(), policy, now);
                    kind = Kind.CANARY_STARTED;
                } else {
                    endpoint.goLive(candidate.id(), now);
                    kind = Kind.PROMOTED;
                }
                // A microsecond after the end of what it replaced, so that the trail reads in order.
                return audit.record(
                        endpoint, kind, live, candidate, results, actor, request.reason(), now.plusNanos(1_000));
            }));
        }
        Log.infof("Endpoint %s: %s %s (event %s)", name, event.kind, candidate.label(), event.id);
        changed(before.id);
        return audit.toResponse(event);
    }

    /**
     * Records the end of the canary or shadow that this promotion replaces, so that every start in the trail has an
     * end: a new shadow stops the running one; a new canary rolls the running canary back; going live completes the
     * running canary when it is the candidate and rolls it back otherwise; a shadow that becomes the canary or goes
     * live stops.
     */
    private void recordReplaced(
            Endpoint endpoint,
            RegisteredVersion candidate,
            RegisteredVersion live,
            boolean shadow,
            CanaryPolicy policy,
            Actor actor,
            Instant at) {
        if (!shadow && candidate.id().equals(endpoint.shadowVersionId)) {
            // From shadow to canary or live: its answers now go to clients, so the shadow ends.
            audit.record(
                    endpoint,
                    Kind.SHADOW_STOPPED,
                    candidate,
                    live,
                    List.of(),
                    actor,
                    policy != null ? "became the canary" : "went live",
                    at);
        }
        UUID replaced = shadow ? endpoint.shadowVersionId : endpoint.canaryVersionId;
        if (replaced == null) {
            return;
        }
        RegisteredVersion old = models.byIds(List.of(replaced)).get(replaced);
        if (shadow) {
            audit.record(
                    endpoint,
                    Kind.SHADOW_STOPPED,
                    old,
                    live,
                    List.of(),
                    actor,
                    "replaced by a shadow of " + candidate.label(),
                    at);
        } else if (policy == null && replaced.equals(candidate.id())) {
            audit.record(
                    endpoint,
                    Kind.CANARY_COMPLETED,
                    live,
                    old,
                    List.of(),
                    actor,
                    views.withCanaryOutcome(endpoint, "completed by promoting " + candidate.label()),
                    at);
        } else {
            audit.record(
                    endpoint,
                    Kind.CANARY_ROLLED_BACK,
                    old,
                    live,
                    List.of(),
                    actor,
                    views.withCanaryOutcome(
                            endpoint,
                            "replaced by " + (policy == null ? "promoting " : "a canary of ") + candidate.label()),
                    at);
        }
    }

    /** Loads and warms the version up: the last gate of a promotion, and the check before a rollback to it. */
    GateResult warmUp(RegisteredVersion candidate) {
        try {
            versions.served(candidate);
            return new GateResult("loads and warms up", true, null, null, candidate.label() + " is loaded and warm");
        } catch (RuntimeException e) {
            return new GateResult("loads and warms up", false, null, null, e.getMessage());
        }
    }

    /** After a change to the endpoint's routing (made through {@link EndpointRoutes#change}). */
    void changed(UUID endpointId) {
        // A change that leaves the canary running (a shadow started beside it) keeps the canary's counts.
        UUID canaryNow = QuarkusTransaction.requiringNew().call(() -> endpoints
                .findByIdOptional(endpointId)
                .map(e -> e.canaryId)
                .orElse(null));
        metrics.canaryEnded(endpointId, canaryNow);
        versions.unloadUnserved();
    }

    private static CanaryPolicy canaryPolicy(PromotionRequest request) {
        var c = request.canary();
        return c == null
                ? CanaryPolicy.DEFAULT
                : CanaryPolicy.of(c.minRequests(), c.completeAfter(), c.maxErrorRateIncrease(), c.maxP99Increase());
    }
}
