package dev.canopy.api.schedule;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class ScheduleRepository implements PanacheRepositoryBase<Schedule, UUID> {

    Optional<Schedule> findByTeamAndName(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    /** Locked until the transaction ends: two changes at the same moment are made one after the other. */
    Optional<Schedule> findByTeamAndNameForUpdate(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    List<Schedule> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by name", teamId);
    }

    List<Schedule> findActiveOnDataset(UUID datasetId) {
        return list("onDatasetId = ?1 and paused = false", datasetId);
    }
}
