package dev.canopy.api.dataset;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class DatasetVersionRepository implements PanacheRepositoryBase<DatasetVersion, UUID> {

    Optional<DatasetVersion> findBySha256(UUID datasetId, String sha256) {
        return find("dataset.id = ?1 and sha256 = ?2", datasetId, sha256).firstResultOptional();
    }

    Optional<DatasetVersion> findByNumber(UUID datasetId, int version) {
        return find("dataset.id = ?1 and version = ?2", datasetId, version).firstResultOptional();
    }

    Optional<DatasetVersion> findLatest(UUID datasetId) {
        return find("dataset.id = ?1 order by version desc", datasetId).firstResultOptional();
    }

    List<DatasetVersion> findByDataset(UUID datasetId) {
        return list("dataset.id = ?1 order by version", datasetId);
    }

    int highestNumber(UUID datasetId) {
        Integer highest = getEntityManager()
                .createQuery("select max(v.version) from DatasetVersion v where v.dataset.id = ?1", Integer.class)
                .setParameter(1, datasetId)
                .getSingleResult();
        return highest == null ? 0 : highest;
    }
}
