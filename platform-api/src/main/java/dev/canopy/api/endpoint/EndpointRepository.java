package dev.canopy.api.endpoint;

import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.team.TeamScope;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

@ApplicationScoped
class EndpointRepository implements PanacheRepositoryBase<Endpoint, UUID> {

    Optional<Endpoint> findByTeamAndName(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    /** The team's endpoint of that name. @throws NotFound when the team has none */
    Endpoint require(TeamScope scope, String name) {
        return findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("endpoint", name));
    }

    /** Locked, so that concurrent promotions and rollbacks of one endpoint apply one after the other. */
    Optional<Endpoint> findByTeamAndNameForUpdate(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    Optional<Endpoint> findByIdForUpdate(UUID id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * The endpoint {@code before} was read from, locked until the transaction ends: 404 if it was deleted since (as if
     * it had never been there), 409 with {@code changed} if its routing (live, canary, shadow) is not as read.
     */
    Endpoint lockedAsRead(Endpoint before, String name, String changed) {
        Endpoint endpoint = findByIdForUpdate(before.id).orElseThrow(() -> new NotFound("endpoint", name));
        if (!endpoint.routesAs(before)) {
            throw new Conflict(changed);
        }
        return endpoint;
    }

    /** Those of {@code ids} that are endpoints still, each with the versions it serves (live, canary, shadow). */
    Map<UUID, Set<UUID>> servedVersions(Collection<UUID> ids) {
        return getEntityManager()
                .createQuery("select e from Endpoint e where e.id in :ids", Endpoint.class)
                .setParameter("ids", ids)
                .getResultStream()
                .collect(Collectors.toMap(e -> e.id, e -> Set.copyOf(e.servedVersionIds())));
    }

    List<Endpoint> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by name", teamId);
    }
}
