package dev.canopy.api.carbon;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A grid intensity trace a team uploaded for one zone; its points are in {@code intensity_trace_points}. */
@Entity
@Table(name = "intensity_traces")
class IntensityTrace {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "zone", nullable = false, length = 64)
    String zone;

    @Column(name = "source", nullable = false, length = 300)
    String source;

    @Column(name = "points", nullable = false)
    int points;

    @Column(name = "first_at", nullable = false)
    Instant firstAt;

    @Column(name = "last_at", nullable = false)
    Instant lastAt;

    @Column(name = "uploaded_at", nullable = false)
    Instant uploadedAt;

    @Column(name = "uploaded_by")
    UUID uploadedBy;

    protected IntensityTrace() {}

    IntensityTrace(UUID teamId, String zone, String source, UUID uploadedBy, Instant now) {
        this.id = UUID.randomUUID();
        this.teamId = teamId;
        this.zone = zone;
        this.source = source;
        this.uploadedBy = uploadedBy;
        this.uploadedAt = now;
    }
}
