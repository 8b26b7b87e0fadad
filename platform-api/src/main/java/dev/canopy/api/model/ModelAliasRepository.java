package dev.canopy.api.model;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
class ModelAliasRepository implements PanacheRepositoryBase<ModelAlias, ModelAlias.Key> {

    Optional<ModelAlias> findByName(UUID modelId, String alias) {
        return findByIdOptional(new ModelAlias.Key(modelId, alias));
    }

    List<ModelAlias> findByModel(UUID modelId) {
        return list("key.modelId = ?1 order by key.alias", modelId);
    }
}
