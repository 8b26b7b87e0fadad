package dev.canopy.api.team;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.Forbidden;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.error.Unauthenticated;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The one gate to team-scoped data. Every feature resolves the team of a request through here.
 *
 * <p>A team the caller is not a member of (or that the token is not valid for) is reported as not found, so
 * that team names do not leak. Being a platform admin grants no access to a team's data: it allows creating
 * teams and managing their members.
 */
@ApplicationScoped
public class TeamAccess {

    @Inject
    CurrentCaller currentCaller;

    @Inject
    MembershipRepository memberships;

    @Inject
    TeamRepository teams;

    @Inject
    UserRepository users;

    @Inject
    AccessCache cache;

    @Inject
    ApiTokenRepository tokens;

    /** Resolves {@code teamName} for the caller, who needs at least {@code needed} there. */
    public TeamScope require(String teamName, Role needed) {
        Caller caller = currentCaller.get();
        AccessCache.Member member = cache.member(caller.userId(), teamName, () -> memberships
                        .findByTeamNameAndUser(teamName, caller.userId())
                        .map(m -> new AccessCache.Member(m.team.id, m.team.name, m.role)))
                .filter(m ->
                        caller.tokenTeamId() == null || caller.tokenTeamId().equals(m.teamId()))
                .orElseThrow(() -> new NotFound("team", teamName));
        Role role = member.role().min(caller.tokenRole());
        if (!role.atLeast(needed)) {
            throw new Forbidden("Role " + role + " in team '" + teamName + "' may not do this; it needs " + needed);
        }
        return new TeamScope(member.teamId(), member.teamName(), caller.userId(), role);
    }

    /**
     * A scope for work the platform does on its own (a schedule firing) on behalf of {@code userId}, who set it
     * up: no caller, so no token checks; the role is MEMBER. That user must still be a member or admin of the team:
     * a schedule does not outlive its maker's right to do what it does.
     */
    public TeamScope system(UUID teamId, UUID userId) {
        Team team = teams.findByIdOptional(teamId).orElseThrow(() -> new NotFound("team", teamId));
        requireMaker(team.name, userId, memberships.findByTeamAndUser(teamId, userId));
        return new TeamScope(team.id, team.name, userId, Role.MEMBER);
    }

    /**
     * {@link #system}'s check again, for work that commits long after it began (a schedule's promotion, after its
     * gates): the membership is held FOR SHARE until the transaction ends, so a removal waits for the commit, or was
     * seen.
     */
    public void recheckSystem(TeamScope scope) {
        requireMaker(
                scope.teamName(),
                scope.userId(),
                memberships
                        .find("team.id = ?1 and user.id = ?2", scope.teamId(), scope.userId())
                        .withLock(LockModeType.PESSIMISTIC_READ)
                        .firstResultOptional());
    }

    /** The name of user {@code userId}; empty if there is no such user (any more). */
    public Optional<String> userName(UUID userId) {
        return userId == null
                ? Optional.empty()
                : users.findByIdOptional(userId).map(u -> u.name);
    }

    private void requireMaker(String teamName, UUID userId, Optional<Membership> membership) {
        if (membership.filter(m -> m.role.atLeast(Role.MEMBER)).isEmpty()) {
            String actsFor = userName(userId).map(n -> "'" + n + "'").orElse("(deleted)");
            throw new Forbidden("it acts for " + actsFor + ", who made, last changed or resumed it and is no longer a"
                    + " member or admin of team '" + teamName + "'; a member takes it over by changing or resuming it");
        }
    }

    /** Ids of the teams the caller may read. */
    public Set<UUID> readableTeams() {
        Caller caller = currentCaller.get();
        return memberships.findByUserWithTeam(caller.userId()).stream()
                .map(m -> m.team.id)
                .filter(id ->
                        caller.tokenTeamId() == null || caller.tokenTeamId().equals(id))
                .collect(Collectors.toSet());
    }

    /** Shorthand for reading: any member may read. */
    public TeamScope read(String teamName) {
        return require(teamName, Role.VIEWER);
    }

    /**
     * Checks again, in the database rather than the cache, that the caller may still write to the scope's team: for
     * work that commits long after its request was let in (an upload streaming for minutes). The token and the
     * membership are held FOR SHARE until the transaction ends, so a revocation or a removal waits for the commit,
     * or was seen.
     *
     * @throws Unauthenticated when the token was revoked or expired meanwhile
     */
    public void recheckWrite(TeamScope scope) {
        recheck(scope, Role.MEMBER);
    }

    /** {@link #recheckWrite} for work that needs {@code needed} (an intensity trace needs an admin). */
    public void recheck(TeamScope scope, Role needed) {
        Caller caller = recheckToken();
        Role role = memberships
                .find("team.id = ?1 and user.id = ?2", scope.teamId(), caller.userId())
                .withLock(LockModeType.PESSIMISTIC_READ)
                .firstResultOptional()
                .map(m -> m.role.min(caller.tokenRole()))
                .orElseThrow(() -> new NotFound("team", scope.teamName()));
        if (!role.atLeast(needed)) {
            throw new Forbidden(
                    "Role " + role + " in team '" + scope.teamName() + "' may not do this; it needs " + needed);
        }
    }

    /**
     * Checks again, in the database, that the caller's token still works, and holds it FOR SHARE until the
     * transaction ends (a revocation waits for the commit, or was seen): for a write that commits after its body
     * streamed in, a runner's checkpoint or model upload, say.
     */
    public Caller recheckToken() {
        Caller caller = currentCaller.get();
        ApiToken token = tokens.findById(caller.tokenId(), LockModeType.PESSIMISTIC_READ);
        if (token == null || !token.isUsableAt(DatabaseTime.now())) {
            throw new Unauthenticated("The bearer token is unknown, revoked or expired");
        }
        return caller;
    }

    /** Shorthand for writing data: members and admins. */
    public TeamScope write(String teamName) {
        return require(teamName, Role.MEMBER);
    }
}
