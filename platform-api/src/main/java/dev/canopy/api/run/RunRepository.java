package dev.canopy.api.run;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class RunRepository implements PanacheRepositoryBase<Run, UUID> {

    Optional<Run> findInTeam(UUID teamId, UUID runId) {
        return find("id = ?1 and teamId = ?2", runId, teamId).firstResultOptional();
    }

    /**
     * Locks the run (FOR NO KEY UPDATE) for as long as the transaction writes to it: no metric lands after the run
     * has ended, and the metric batches of one run apply one after the other, so they never deadlock on its series.
     */
    Optional<Run> findInTeamForWrite(UUID teamId, UUID runId) {
        return find("id = ?1 and teamId = ?2", runId, teamId)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    List<Run> listByIds(Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : list("id in ?1", ids);
    }
}
