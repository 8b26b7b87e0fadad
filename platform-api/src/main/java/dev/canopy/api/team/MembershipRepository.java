package dev.canopy.api.team;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class MembershipRepository implements PanacheRepositoryBase<Membership, UUID> {

    Optional<Membership> findByTeamAndUser(UUID teamId, UUID userId) {
        return find("team.id = ?1 and user.id = ?2", teamId, userId).firstResultOptional();
    }

    /** The user's membership in the named team, with the team, in one query. */
    Optional<Membership> findByTeamNameAndUser(String teamName, UUID userId) {
        return find(
                        "select m from Membership m join fetch m.team t where t.name = ?1 and m.user.id = ?2",
                        teamName,
                        userId)
                .firstResultOptional();
    }

    List<Membership> findByUserWithTeam(UUID userId) {
        return find("select m from Membership m join fetch m.team where m.user.id = ?1 order by m.team.name", userId)
                .list();
    }

    List<Membership> findByTeamWithUser(UUID teamId) {
        return find("select m from Membership m join fetch m.user where m.team.id = ?1 order by m.user.name", teamId)
                .list();
    }
}
