package dev.canopy.api.model;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelRecords.ModelResponse;
import dev.canopy.api.model.ModelRecords.VersionResponse;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.Map;

/**
 * What people change on registered models: aliases, descriptions and tags. Versions' lineage never changes. Each
 * change locks its model first, so that two at once (tags merged into the same map, an alias set and removed) are
 * made one after the other instead of the second writing over the first.
 */
@ApplicationScoped
class ModelCuration {

    @Inject
    ModelService registry;

    @Inject
    ModelAliasRepository aliases;

    @Inject
    TeamAccess access;

    /** Points {@code alias} at a version (by number, "latest" or another alias), moving it if it existed. */
    @Transactional
    VersionResponse setAlias(String team, String model, String alias, String version) {
        TeamScope scope = access.write(team);
        AliasName.check(alias);
        registry.findForUpdate(scope, model);
        ModelVersion target = registry.findVersion(scope, model, version);
        aliases.findByName(target.model.id, alias)
                .ifPresentOrElse(
                        a -> a.point(target.id, scope.userId(), DatabaseTime.now()),
                        () -> aliases.persist(
                                new ModelAlias(target.model.id, alias, target.id, scope.userId(), DatabaseTime.now())));
        aliases.flush();
        Log.infof("Alias %s of model %s now points at version %d", alias, model, target.version);
        return registry.toResponse(scope, target);
    }

    @Transactional
    void removeAlias(String team, String model, String alias) {
        TeamScope scope = access.write(team);
        Model found = registry.findForUpdate(scope, model);
        ModelAlias existing = aliases.findByName(found.id, alias)
                .orElseThrow(() -> new NotFound("alias '" + alias + "' of model '" + model + "' not found"));
        aliases.delete(existing);
        Log.infof("Alias %s of model %s removed", alias, model);
    }

    @Transactional
    ModelResponse annotateModel(String team, String model, String description, Map<String, String> tags) {
        TeamScope scope = access.write(team);
        Model found = registry.findForUpdate(scope, model);
        found.annotate(description, tags);
        return registry.toResponse(found);
    }

    @Transactional
    VersionResponse annotateVersion(
            String team, String model, String version, String description, Map<String, String> tags) {
        TeamScope scope = access.write(team);
        registry.findForUpdate(scope, model);
        ModelVersion found = registry.findVersion(scope, model, version);
        found.annotate(description, tags);
        return registry.toResponse(scope, found);
    }
}
