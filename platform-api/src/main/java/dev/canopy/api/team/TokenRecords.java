package dev.canopy.api.team;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** Request and response records of API tokens. */
public final class TokenRecords {

    private TokenRecords() {}

    /**
     * @param team narrows the token to one team the user belongs to
     * @param role caps the token's role (never above the user's own)
     * @param expiresAt when the token stops working; never, if absent
     */
    record CreateTokenRequest(@NotBlank @Size(max = 100) String name, String team, Role role, Instant expiresAt) {}

    /** @param team when set, the runner serves only this team (a team admin may create it) */
    public record CreateRunnerTokenRequest(@NotBlank @Size(max = 100) String name, String team, Instant expiresAt) {}

    /** The only response that carries the secret: it is shown once, at creation. */
    public record CreatedTokenResponse(
            UUID id,
            String name,
            String token,
            String user,
            String team,
            Role role,
            Instant expiresAt,
            Instant createdAt) {

        /** Without the secret: a record's own toString would print it into any log line or message it reached. */
        @Override
        public String toString() {
            return "CreatedTokenResponse[id=" + id + ", name=" + name + ", token=cnp_…, user=" + user + ", team=" + team
                    + ", role=" + role + ", expiresAt=" + expiresAt + ", createdAt=" + createdAt + "]";
        }
    }

    /** @param user who made the token (and whom a user token speaks for) */
    public record TokenResponse(
            UUID id,
            String name,
            TokenKind kind,
            String user,
            String team,
            Role role,
            Instant createdAt,
            Instant expiresAt,
            Instant revokedAt,
            UUID madeWith) {
        static TokenResponse from(ApiToken t) {
            return new TokenResponse(
                    t.id,
                    t.name,
                    t.kind,
                    t.user.name,
                    t.team == null ? null : t.team.name,
                    t.role,
                    t.createdAt,
                    t.expiresAt,
                    t.revokedAt,
                    t.madeWith);
        }
    }
}
