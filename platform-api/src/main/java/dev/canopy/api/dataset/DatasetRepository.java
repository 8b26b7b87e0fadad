package dev.canopy.api.dataset;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class DatasetRepository implements PanacheRepositoryBase<Dataset, UUID> {

    Optional<Dataset> findByTeamAndName(UUID teamId, String name) {
        return find("teamId = ?1 and name = ?2", teamId, name).firstResultOptional();
    }

    List<Dataset> findByTeam(UUID teamId) {
        return list("teamId = ?1 order by name", teamId);
    }

    /** Locks the dataset row so that concurrent uploads number their versions one after the other. */
    Dataset lockForNewVersion(UUID datasetId) {
        return findById(datasetId, LockModeType.PESSIMISTIC_WRITE);
    }
}
