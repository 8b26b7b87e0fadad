package dev.canopy.api.experiment;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "experiments")
class Experiment {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "name", nullable = false, length = 200)
    String name;

    @Column(name = "description", length = 2000)
    String description;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "created_by")
    UUID createdBy;

    protected Experiment() {}

    Experiment(UUID teamId, String name, String description, UUID createdBy, Instant now) {
        this.id = UUID.randomUUID();
        this.teamId = teamId;
        this.name = name;
        this.description = description;
        this.createdBy = createdBy;
        this.createdAt = now;
    }
}
