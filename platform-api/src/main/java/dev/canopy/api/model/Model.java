package dev.canopy.api.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "models")
class Model {

    @Id
    UUID id;

    @Column(name = "team_id", nullable = false)
    UUID teamId;

    @Column(name = "name", nullable = false, length = 100)
    String name;

    @Column(name = "description", length = 2000)
    String description;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    protected Model() {}

    Model(UUID teamId, String name, Instant now) {
        this.id = UUID.randomUUID();
        this.teamId = teamId;
        this.name = name;
        this.createdAt = now;
    }
}
