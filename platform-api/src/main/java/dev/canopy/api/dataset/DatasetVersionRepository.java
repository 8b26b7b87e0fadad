package dev.canopy.api.dataset;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** A page of the dataset's versions, by number: {@code limit} of them after the first {@code offset}. */
    List<DatasetVersion> findByDataset(UUID datasetId, boolean newestFirst, int offset, int limit) {
        return find("dataset.id = ?1 order by version" + (newestFirst ? " desc" : ""), datasetId)
                .range(offset, offset + limit - 1)
                .list();
    }

    /**
     * The highest version number of each of the datasets that has one, in one query and without the versions'
     * profiles (megabytes each, for a wide file).
     */
    Map<UUID, Integer> highestNumbers(Collection<UUID> datasetIds) {
        Map<UUID, Integer> highest = new HashMap<>();
        if (datasetIds.isEmpty()) {
            return highest;
        }
        getEntityManager()
                .createQuery(
                        "select v.dataset.id, max(v.version) from DatasetVersion v where v.dataset.id in ?1"
                                + " group by v.dataset.id",
                        Object[].class)
                .setParameter(1, datasetIds)
                .getResultList()
                .forEach(row -> highest.put((UUID) row[0], (Integer) row[1]));
        return highest;
    }

    int highestNumber(UUID datasetId) {
        Integer highest = getEntityManager()
                .createQuery("select max(v.version) from DatasetVersion v where v.dataset.id = ?1", Integer.class)
                .setParameter(1, datasetId)
                .getSingleResult();
        return highest == null ? 0 : highest;
    }
}
