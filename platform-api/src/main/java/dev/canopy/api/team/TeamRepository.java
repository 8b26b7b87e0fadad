package dev.canopy.api.team;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class TeamRepository implements PanacheRepositoryBase<Team, UUID> {

    Optional<Team> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    /** The team, locked until the transaction ends: changes to its members are made one after the other. */
    Optional<Team> findByNameForUpdate(String name) {
        return find("name", name).withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }
}
