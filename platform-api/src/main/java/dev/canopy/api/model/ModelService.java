package dev.canopy.api.model;

import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.carbon.CarbonRecords.RunCarbon;
import dev.canopy.api.carbon.CarbonService;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionLabel;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelRecords.DatasetLineage;
import dev.canopy.api.model.ModelRecords.ModelResponse;
import dev.canopy.api.model.ModelRecords.VersionResponse;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The model registry: models, and their immutable versions with lineage. */
@ApplicationScoped
public class ModelService {

    /** A version number as a path gives it: 1 to 9 ASCII digits. */
    private static final Pattern VERSION_NUMBER = Pattern.compile("0*[1-9][0-9]{0,8}");

    @Inject
    ModelRepository models;

    @Inject
    ModelVersionRepository versions;

    @Inject
    TeamAccess access;

    @Inject
    DatasetService datasets;

    @Inject
    ArtifactStore store;

    @Inject
    CarbonService carbon;

    @Inject
    ModelAliasRepository aliases;

    /** Registers the next version of a model (creating the model on its first version), in the caller's transaction. */
    @Transactional
    public VersionName register(NewModelVersion source) {
        Instant now = DatabaseTime.now();
        Model model = models.findByTeamAndNameForUpdate(source.teamId(), source.model())
                .orElseGet(() -> {
                    models.createIfAbsent(source.teamId(), source.model(), now);
                    return models.findByTeamAndNameForUpdate(source.teamId(), source.model())
                            .orElseThrow();
                });
        int number = versions.findLatest(model.id).map(v -> v.version + 1).orElse(1);
        ModelVersion version = new ModelVersion(model, number, source, now);
        versions.persist(version);
        Log.infof("Model %s version %d registered from run %s", model.name, number, source.runId());
        return new VersionName(version.id, model.name, number);
    }

    /** Names of model versions by id, for runs that show the version they produced. */
    public Map<UUID, VersionName> namesOf(Collection<UUID> ids) {
        return versions.listByIdsWithModel(ids).stream()
                .collect(Collectors.toMap(v -> v.id, v -> new VersionName(v.id, v.model.name, v.version)));
    }

    List<ModelResponse> list(String team) {
        return models.findByTeam(access.read(team).teamId()).stream()
                .map(this::toResponse)
                .toList();
    }

    ModelResponse get(String team, String name) {
        return toResponse(find(access.read(team), name));
    }

    /** A page of the model's versions (scheduled retraining can register one a minute). */
    List<VersionResponse> versions(String team, String name, boolean newestFirst, int offset, int limit) {
        TeamScope scope = access.read(team);
        return toResponses(scope, versions.findByModel(find(scope, name).id, newestFirst, offset, limit));
    }

    VersionResponse version(String team, String name, String version) {
        TeamScope scope = access.read(team);
        return toResponse(scope, findVersion(scope, name, version));
    }

    /** The model artifact (DJL parameters and spec, zipped); the caller closes the stream. */
    /** A version's artifact and the number it resolved to ("latest" and aliases name one). */
    record Artifact(int version, InputStream content) {}

    Artifact artifact(String team, String name, String version) throws IOException {
        TeamScope scope = access.read(team);
        ModelVersion found = findVersion(scope, name, version);
        return new Artifact(found.version, store.open(found.artifactKey));
    }

    /**
     * A version of one of the team's models by number, "latest" or alias.
     *
     * @throws NotFound when the model or version does not exist in the team
     */
    public RegisteredVersion resolve(TeamScope scope, String model, String version) {
        return RegisteredVersion.from(findVersion(scope, model, version));
    }

    /** The id of one of the team's models. */
    public UUID modelId(TeamScope scope, String model) {
        return find(scope, model).id;
    }

    /** The name of a model by id (any team: callers hold ids they already scoped). */
    public String modelName(UUID modelId) {
        return models.findByIdOptional(modelId).map(m -> m.name).orElseThrow(() -> new NotFound("model", modelId));
    }

    /** Versions by id (any team: callers hold ids they already scoped). */
    public Map<UUID, RegisteredVersion> byIds(Collection<UUID> ids) {
        return versions.listByIdsWithModel(ids).stream().collect(Collectors.toMap(v -> v.id, RegisteredVersion::from));
    }

    /** A version's artifact bytes; the caller closes the stream. */
    public InputStream openArtifact(RegisteredVersion version) throws IOException {
        return store.open(version.artifactKey());
    }

    Model find(TeamScope scope, String name) {
        return models.findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("model", name));
    }

    /**
     * The model, locked until the transaction ends: changes to it, its versions and aliases (and registrations) are
     * made one after the other, each on what the one before it committed.
     */
    Model findForUpdate(TeamScope scope, String name) {
        return models.findByTeamAndNameForUpdate(scope.teamId(), name).orElseThrow(() -> new NotFound("model", name));
    }

    ModelVersion findVersion(TeamScope scope, String name, String version) {
        Model model = find(scope, name);
        if ("latest".equals(version)) {
            return versions.findLatest(model.id)
                    .orElseThrow(() -> new NotFound("model '" + name + "' has no versions"));
        }
        if (AliasName.isAlias(version)) {
            ModelAlias alias = aliases.findByName(model.id, version)
                    .orElseThrow(() -> new NotFound("alias '" + version + "' of model '" + name + "' not found"));
            return versions.findById(alias.versionId);
        }
        // ASCII digits only: Integer.parseInt reads other scripts' digits too.
        if (!VERSION_NUMBER.matcher(version).matches()) {
            throw new InvalidRequest(
                    "version", "must be a positive integer, 'latest' or an alias, not '" + version + "'");
        }
        int number = Integer.parseInt(version);
        return versions.findByNumber(model.id, number)
                .orElseThrow(() -> new NotFound("version " + version + " of model '" + name + "' not found"));
    }

    ModelResponse toResponse(Model m) {
        Integer latest = versions.findLatest(m.id).map(v -> v.version).orElse(null);
        Map<String, Integer> aliasVersions = new TreeMap<>();
        List<ModelAlias> all = aliases.findByModel(m.id);
        Map<UUID, Integer> numbers = versions
                .listByIdsWithModel(all.stream().map(a -> a.versionId).toList())
                .stream()
                .collect(Collectors.toMap(v -> v.id, v -> v.version));
        all.forEach(a -> aliasVersions.put(a.key.alias(), numbers.get(a.versionId)));
        return new ModelResponse(m.id, m.name, m.description, m.tags, aliasVersions, m.createdAt, latest);
    }

    VersionResponse toResponse(TeamScope scope, ModelVersion v) {
        return toResponses(scope, List.of(v)).get(0);
    }

    /** The versions' views, their lineage, energy and aliases read a query each for all of them. */
    private List<VersionResponse> toResponses(TeamScope scope, List<ModelVersion> page) {
        Map<UUID, DatasetLineage> lineage = datasets
                .findVersions(
                        scope,
                        page.stream()
                                .map(v -> v.datasetVersionId)
                                .filter(Objects::nonNull)
                                .distinct()
                                .toList())
                .stream()
                .collect(Collectors.toMap(DatasetVersionLabel::id, ModelService::lineageOf));
        Map<UUID, RunCarbon> energy = carbon.ofRuns(
                page.stream().map(v -> v.runId).filter(Objects::nonNull).toList());
        Map<UUID, List<String>> aliasesOf = new HashMap<>();
        page.stream().map(v -> v.model.id).distinct().forEach(model -> aliases.findByModel(model)
                .forEach(a -> aliasesOf
                        .computeIfAbsent(a.versionId, id -> new ArrayList<>())
                        .add(a.key.alias())));
        return page.stream()
                .map(v -> {
                    RunCarbon carbonOf = v.runId == null ? null : energy.get(v.runId);
                    return new VersionResponse(
                            v.model.name,
                            v.version,
                            v.runId,
                            v.datasetVersionId == null ? null : lineage.get(v.datasetVersionId),
                            v.recipe,
                            v.params,
                            v.metrics,
                            v.spec,
                            v.description,
                            v.tags,
                            aliasesOf.getOrDefault(v.id, List.of()),
                            carbonOf == null ? null : carbonOf.energy(),
                            carbonOf == null ? null : carbonOf.emissions(),
                            v.createdAt);
                })
                .toList();
    }

    private static DatasetLineage lineageOf(DatasetVersionLabel d) {
        return new DatasetLineage(d.dataset(), d.version(), d.sha256());
    }
}
