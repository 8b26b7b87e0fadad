package dev.canopy.api.team;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "teams")
class Team {

    @Id
    UUID id;

    @Column(name = "name", nullable = false, unique = true, length = 64)
    String name;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    protected Team() {}

    Team(String name, Instant now) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.createdAt = now;
    }
}
