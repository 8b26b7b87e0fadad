package dev.canopy.api.endpoint;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One audit record of an endpoint: a promotion (passed or refused), a canary's start or end, a rollback, a change of
 * its micro-batching.
 */
@Entity
@Immutable
@Table(name = "endpoint_events")
class EndpointEvent {

    enum Kind {
        /** The version went live. */
        PROMOTED,
        /** Its gates refused the version; nothing changed. */
        REJECTED,
        /** The version answers a share of the traffic next to the live one. */
        CANARY_STARTED,
        /** The canary became the live version. */
        CANARY_COMPLETED,
        /** The canary was dropped; the live version takes all traffic again. */
        CANARY_ROLLED_BACK,
        /** The previous version became live again. */
        ROLLED_BACK,
        /** The version sees copies of the requests; its answers are compared, never returned. */
        SHADOW_STARTED,
        /** The shadow was dropped. */
        SHADOW_STOPPED,
        /** The endpoint's micro-batching settings changed (the reason says from what to what). */
        BATCHING_CHANGED,
        /** The endpoint was deleted; its records stay. */
        DELETED
    }

    @Id
    UUID id;

    @Column(name = "endpoint_id", nullable = false)
    UUID endpointId;

    /** The endpoint's team and name, kept with each record: the records outlive the endpoint. */
    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "endpoint_name", nullable = false, length = 100)
    String endpointName;

    @Enumerated(EnumType.STRING)
    @Column(name = "kind", nullable = false, length = 30)
    Kind kind;

    @Column(name = "from_version_id")
    UUID fromVersionId;

    @Column(name = "to_version_id")
    UUID toVersionId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "gates", nullable = false, columnDefinition = "jsonb")
    List<GateResult> gates;

    @Column(name = "actor_id")
    UUID actorId;

    @Column(name = "actor", nullable = false, length = 200)
    String actor;

    @Column(name = "reason", length = 2000)
    String reason;

    @Column(name = "at", nullable = false)
    Instant at;

    protected EndpointEvent() {}

    EndpointEvent(
            Endpoint endpoint,
            Kind kind,
            UUID fromVersionId,
            UUID toVersionId,
            List<GateResult> gates,
            Actor actor,
            String reason,
            Instant at) {
        this.id = UUID.randomUUID();
        this.endpointId = endpoint.id;
        this.teamId = endpoint.teamId;
        this.endpointName = endpoint.name;
        this.kind = kind;
        this.fromVersionId = fromVersionId;
        this.toVersionId = toVersionId;
        this.gates = List.copyOf(gates);
        this.actorId = actor.userId();
        this.actor = actor.name();
        this.reason = reason;
        this.at = at;
    }

    /** Who made a change: a user, or the platform itself (a canary's decision, a schedule) for a user. */
    record Actor(UUID userId, String name) {}
}
