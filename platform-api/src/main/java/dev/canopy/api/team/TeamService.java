package dev.canopy.api.team;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.Forbidden;
import dev.canopy.api.error.InvalidState;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.team.TeamRecords.AddMemberRequest;
import dev.canopy.api.team.TeamRecords.MeResponse;
import dev.canopy.api.team.TeamRecords.MemberResponse;
import dev.canopy.api.team.TeamRecords.QuotaBody;
import dev.canopy.api.team.TeamRecords.TeamResponse;
import dev.canopy.api.team.TeamRecords.TeamRole;
import dev.canopy.api.team.TeamRecords.TokenScope;
import dev.canopy.scheduler.quota.TeamQuota;
import dev.canopy.scheduler.quota.TeamQuotas;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Teams and their members. */
@ApplicationScoped
class TeamService {

    @Inject
    TeamRepository teams;

    @Inject
    UserRepository users;

    @Inject
    MembershipRepository memberships;

    @Inject
    TeamAccess access;

    @Inject
    CurrentCaller currentCaller;

    @Inject
    TeamQuotas quotas;

    @Inject
    Event<AccessChanged> accessChanged;

    /** Creates a team (platform admins only); its creator becomes its first admin. */
    @Transactional
    TeamResponse create(String name) {
        Caller caller = currentCaller.get();
        if (!caller.actsAsPlatformAdmin()) {
            throw new Forbidden("Only a platform admin may create teams");
        }
        if (teams.findByName(name).isPresent()) {
            throw new Conflict("Team '" + name + "' already exists", "name", "already taken");
        }
        Instant now = DatabaseTime.now();
        Team team = new Team(name, now);
        teams.persist(team);
        memberships.persist(new Membership(team, users.findById(caller.userId()), Role.ADMIN, now));
        Log.infof("Team %s (%s) created by %s", team.name, team.id, caller.userName());
        return new TeamResponse(team.id, team.name, team.createdAt, Role.ADMIN);
    }

    TeamResponse get(String name) {
        TeamScope scope = access.read(name);
        Team team = teams.findById(scope.teamId());
        return new TeamResponse(team.id, team.name, team.createdAt, scope.role());
    }

    MeResponse me() {
        Caller caller = currentCaller.get();
        List<TeamRole> roles =
                listMine().stream().map(t -> new TeamRole(t.name(), t.role())).toList();
        TokenScope token = new TokenScope(
                caller.tokenId(),
                caller.tokenTeamId() == null ? null : teams.findById(caller.tokenTeamId()).name,
                caller.tokenRole());
        return new MeResponse(caller.userName(), caller.platformAdmin(), roles, token);
    }

    /** The teams the caller belongs to, as far as the request's token reaches. */
    List<TeamResponse> listMine() {
        Caller caller = currentCaller.get();
        return memberships.findByUserWithTeam(caller.userId()).stream()
                .filter(m ->
                        caller.tokenTeamId() == null || caller.tokenTeamId().equals(m.team.id))
                .map(m -> new TeamResponse(m.team.id, m.team.name, m.team.createdAt, m.role.min(caller.tokenRole())))
                .toList();
    }

    /** A team's members: for its members, and for platform admins, who manage any team's members. */
    List<MemberResponse> members(String teamName) {
        UUID teamId = currentCaller.get().actsAsPlatformAdmin()
                ? teams.findByName(teamName).orElseThrow(() -> new NotFound("team", teamName)).id
                : access.read(teamName).teamId();
        return memberships.findByTeamWithUser(teamId).stream()
                .map(MemberResponse::from)
                .toList();
    }

    /** Adds a member, or changes the role of an existing one. Returns whether the member is new. */
    @Transactional
    boolean putMember(String teamName, AddMemberRequest request) {
        Team team = administeredTeam(teamName);
        User user = users.findByName(request.user()).orElseThrow(() -> new NotFound("user", request.user()));
        var existing = memberships.findByTeamAndUser(team.id, user.id);
        if (existing.isPresent()) {
            refuseDemotingLastAdmin(team, existing.get(), request.role());
            existing.get().role = request.role();
        } else {
            memberships.persist(new Membership(team, user, request.role(), DatabaseTime.now()));
        }
        accessChanged.fire(new AccessChanged());
        Log.infof(
                "User %s is now %s in team %s (by %s)",
                user.name, request.role(), team.name, currentCaller.get().userName());
        return existing.isEmpty();
    }

    @Transactional
    public void removeMember(String teamName, String userName) {
        Team team = administeredTeam(teamName);
        User user = users.findByName(userName).orElseThrow(() -> new NotFound("member", userName));
        Membership membership =
                memberships.findByTeamAndUser(team.id, user.id).orElseThrow(() -> new NotFound("member", userName));
        refuseDemotingLastAdmin(team, membership, null);
        memberships.delete(membership);
        accessChanged.fire(new AccessChanged());
        Log.infof(
                "User %s removed from team %s by %s",
                user.name, team.name, currentCaller.get().userName());
    }

    QuotaBody quota(String teamName) {
        TeamQuota quota = quotas.get(access.read(teamName).teamId());
        return new QuotaBody(quota.maxConcurrentRuns(), quota.maxGpus());
    }

    /** Sets a team's limits; platform admins only, since runners are shared between teams. */
    @Transactional
    QuotaBody setQuota(String teamName, QuotaBody body) {
        Caller caller = currentCaller.get();
        if (!caller.actsAsPlatformAdmin()) {
            throw new Forbidden("Only a platform admin sets team quotas");
        }
        Team team = teams.findByName(teamName).orElseThrow(() -> new NotFound("team", teamName));
        quotas.set(team.id, new TeamQuota(body.maxConcurrentRuns(), body.maxGpus()));
        Log.infof("Quota of team %s set to %s by %s", team.name, body, caller.userName());
        return body;
    }

    /**
     * Team admins manage their team's members; platform admins manage any team's. The team is locked until the
     * transaction ends, so that two changes at once (two admins demoting each other) count the admins one after the
     * other and the team keeps one.
     */
    private Team administeredTeam(String teamName) {
        if (!currentCaller.get().actsAsPlatformAdmin()) {
            access.require(teamName, Role.ADMIN);
        }
        return teams.findByNameForUpdate(teamName).orElseThrow(() -> new NotFound("team", teamName));
    }

    private void refuseDemotingLastAdmin(Team team, Membership membership, Role newRole) {
        boolean demoted = membership.role == Role.ADMIN && newRole != Role.ADMIN;
        if (demoted && memberships.count("team.id = ?1 and role = ?2", team.id, Role.ADMIN) == 1) {
            // The request is well-formed; the team as it stands refuses it.
            throw new InvalidState(
                    "team '" + team.name + "' must keep at least one admin: make another member an" + " admin first");
        }
    }
}
