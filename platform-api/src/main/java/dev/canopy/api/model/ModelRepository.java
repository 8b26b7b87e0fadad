package dev.canopy.api.model;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class ModelRepository implements PanacheRepositoryBase<Model, UUID> {

    Optional<Model> findByTeamAndName(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    /** The model, locked so that concurrent registrations number their versions one after the other. */
    Optional<Model> findByTeamAndNameForUpdate(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    List<Model> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by name", teamId);
    }
}
