package dev.canopy.api.endpoint;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.endpoint.EndpointEvent.Actor;
import dev.canopy.api.endpoint.EndpointEvent.Kind;
import dev.canopy.api.endpoint.EndpointRecords.EventResponse;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/** Endpoints' audit trail: writing a record of each change or refusal, and reading it back. */
@ApplicationScoped
class EndpointAudit {

    @Inject
    EndpointEventRepository events;

    @Inject
    ModelService models;

    /** Records a change in the caller's transaction, with the change itself. */
    EndpointEvent record(
            Endpoint endpoint,
            Kind kind,
            RegisteredVersion from,
            RegisteredVersion to,
            List<GateResult> gates,
            Actor actor,
            String reason) {
        return record(endpoint, kind, from, to, gates, actor, reason, DatabaseTime.now());
    }

    /** {@link #record} at a given time: records of one change that must read in order (the trail sorts by time). */
    EndpointEvent record(
            Endpoint endpoint,
            Kind kind,
            RegisteredVersion from,
            RegisteredVersion to,
            List<GateResult> gates,
            Actor actor,
            String reason,
            Instant at) {
        EndpointEvent event = new EndpointEvent(
                endpoint, kind, from == null ? null : from.id(), to == null ? null : to.id(), gates, actor, reason, at);
        events.persist(event);
        return event;
    }

    /** A page of the endpoint's records, newest first. */
    List<EventResponse> history(UUID endpointId, HistoryPage page) {
        return QuarkusTransaction.requiringNew().call(() -> events.findByEndpoint(endpointId, page).stream()
                .map(this::toResponse)
                .toList());
    }

    /** The records of the team's deleted endpoints of that name (all of them, if the name was reused), newest first. */
    List<EventResponse> historyOfDeleted(UUID teamId, String name, HistoryPage page) {
        return QuarkusTransaction.requiringNew().call(() -> events.findByTeamAndName(teamId, name, page).stream()
                .map(this::toResponse)
                .toList());
    }

    EventResponse toResponse(EndpointEvent e) {
        Map<UUID, RegisteredVersion> versions = models.byIds(Stream.of(e.fromVersionId, e.toVersionId)
                .filter(Objects::nonNull)
                .toList());
        RegisteredVersion from = versions.get(e.fromVersionId);
        RegisteredVersion to = versions.get(e.toVersionId);
        return new EventResponse(
                e.id,
                e.kind.name(),
                from == null ? null : from.version(),
                to == null ? null : to.version(),
                e.gates,
                e.actor,
                e.reason,
                e.at);
    }
}
