package dev.canopy.api.team;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.Forbidden;
import dev.canopy.api.error.NotFound;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Revoking tokens, one or with every token made with it ({@code cascade}). */
@ApplicationScoped
public class TokenRevocations {

    @Inject
    ApiTokenRepository tokens;

    @Inject
    CurrentCaller currentCaller;

    @Inject
    TeamAccess access;

    @Inject
    Event<AccessChanged> accessChanged;

    /**
     * Revokes a token: one of the caller's that the requesting token covers, a runner token of a team the caller
     * administers, or (a platform admin) anyone's.
     */
    @Transactional
    public void revoke(UUID tokenId, boolean cascade) {
        Caller caller = currentCaller.get();
        // Locked before its offspring are read, so that none made at this moment escapes a cascade.
        ApiToken token = tokens.findByIdOptional(tokenId, LockModeType.PESSIMISTIC_WRITE)
                .filter(t -> mayRevoke(caller, t))
                .orElseThrow(() -> new NotFound("token", tokenId));
        Instant now = DatabaseTime.now();
        token.revoke(now);
        Log.infof("Token %s of user %s revoked by %s", token.id, token.user.name, caller.userName());
        if (cascade) {
            // What the token made, and what those made, down the line: a leaked token's offspring. Each one only
            // if the caller could revoke it on its own.
            List<ApiToken> offspring = tokens.madeWithLocked(token.id).stream()
                    .filter(t -> t.revokedAt == null && mayRevoke(caller, t))
                    .toList();
            offspring.forEach(t -> t.revoke(now));
            Log.infof(
                    "Token %s: %d token(s) it made (directly or not) revoked with it by %s",
                    token.id, offspring.size(), caller.userName());
        }
        accessChanged.fire(new AccessChanged());
    }

    private boolean mayRevoke(Caller caller, ApiToken token) {
        return (token.user.id.equals(caller.userId()) && TokenService.covers(caller, token))
                || caller.actsAsPlatformAdmin()
                || administersRunnerTeam(token);
    }

    private boolean administersRunnerTeam(ApiToken token) {
        if (token.kind != TokenKind.RUNNER || token.team == null) {
            return false;
        }
        try {
            access.require(token.team.name, Role.ADMIN);
            return true;
        } catch (NotFound | Forbidden e) {
            return false;
        }
    }
}
