package dev.canopy.api.model;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.query.NativeQuery;

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

    /**
     * Creates the team's model of that name unless it exists, in one statement: of two first versions registered at
     * once, the second waits for the first's transaction and then finds its model instead of failing on the name.
     */
    void createIfAbsent(UUID teamId, String name, Instant now) {
        getEntityManager()
                .createNativeQuery("INSERT INTO models (id, team_id, name, created_at) VALUES (?1, ?2, ?3, ?4)"
                        + " ON CONFLICT (team_id, name) DO NOTHING")
                .unwrap(NativeQuery.class)
                // Only models: the session flushes and invalidates nothing else for it.
                .addSynchronizedEntityClass(Model.class)
                .setParameter(1, UUID.randomUUID())
                .setParameter(2, teamId)
                .setParameter(3, name)
                .setParameter(4, now)
                .executeUpdate();
    }

    List<Model> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by name", teamId);
    }
}
