package dev.canopy.api.team;

import java.util.UUID;

/**
 * Who is making the current request, as established from the bearer token.
 *
 * @param tokenTeamId when set, the token works only in this team
 * @param tokenRole when set, caps the caller's role in every team
 * @param kind a RUNNER token is a runner speaking the worker protocol, not a person
 */
public record Caller(
        UUID userId,
        String userName,
        boolean platformAdmin,
        UUID tokenId,
        UUID tokenTeamId,
        Role tokenRole,
        TokenKind kind) {

    /** Platform administration needs a platform admin's token that is not narrowed to a team or role. */
    public boolean actsAsPlatformAdmin() {
        return platformAdmin && tokenTeamId == null && tokenRole == null && kind == TokenKind.USER;
    }
}
