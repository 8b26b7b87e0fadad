package dev.canopy.api.team;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An API token. Only the SHA-256 of its secret is stored; the secret itself is shown once. */
@Entity
@Table(name = "api_tokens")
class ApiToken {

    @Id
    UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "user_id", nullable = false)
    User user;

    @Column(name = "name", nullable = false, length = 100)
    String name;

    @Column(name = "token_hash", nullable = false, unique = true, length = 64)
    String tokenHash;

    /** When set, the token works in this team only. */
    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "team_id")
    Team team;

    /** When set, the token's role is capped at this one whatever the user's memberships. */
    @Enumerated(EnumType.STRING)
    @Column(name = "role", length = 16)
    Role role;

    @Enumerated(EnumType.STRING)
    @Column(name = "kind", nullable = false, length = 16)
    TokenKind kind = TokenKind.USER;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "expires_at")
    Instant expiresAt;

    @Column(name = "revoked_at")
    Instant revokedAt;

    /** The token whose request made this one; null for tokens made without one (first start, embedded runners). */
    @Column(name = "made_with")
    UUID madeWith;

    protected ApiToken() {}

    ApiToken(
            User user,
            TokenKind kind,
            String name,
            String tokenHash,
            Team team,
            Role role,
            Instant expiresAt,
            Instant now) {
        this.id = UUID.randomUUID();
        this.kind = kind;
        this.user = user;
        this.name = name;
        this.tokenHash = tokenHash;
        this.team = team;
        this.role = role;
        this.expiresAt = expiresAt;
        this.createdAt = now;
    }

    boolean isUsableAt(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }

    public void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }
}
