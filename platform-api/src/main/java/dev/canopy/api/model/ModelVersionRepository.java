package dev.canopy.api.model;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class ModelVersionRepository implements PanacheRepositoryBase<ModelVersion, UUID> {

    /** A page of the model's versions, by number: {@code limit} of them after the first {@code offset}. */
    List<ModelVersion> findByModel(UUID modelId, boolean newestFirst, int offset, int limit) {
        return find("model.id = ?1 order by version" + (newestFirst ? " desc" : ""), modelId)
                .range(offset, offset + limit - 1)
                .list();
    }

    Optional<ModelVersion> findByNumber(UUID modelId, int version) {
        return find("model.id = ?1 and version = ?2", modelId, version).firstResultOptional();
    }

    Optional<ModelVersion> findLatest(UUID modelId) {
        return find("model.id = ?1 order by version desc", modelId).firstResultOptional();
    }

    List<ModelVersion> listByIdsWithModel(Collection<UUID> ids) {
        return ids.isEmpty()
                ? List.of()
                : list("select v from ModelVersion v join fetch v.model where v.id in ?1", ids);
    }
}
