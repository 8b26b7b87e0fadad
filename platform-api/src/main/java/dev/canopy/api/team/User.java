package dev.canopy.api.team;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "users")
class User {

    @Id
    UUID id;

    @Column(name = "name", nullable = false, unique = true, length = 64)
    String name;

    @Column(name = "platform_admin", nullable = false)
    boolean platformAdmin;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    protected User() {}

    User(String name, boolean platformAdmin, Instant now) {
        this.id = UUID.randomUUID();
        this.name = name;
        this.platformAdmin = platformAdmin;
        this.createdAt = now;
    }
}
