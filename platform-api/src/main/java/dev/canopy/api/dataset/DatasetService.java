package dev.canopy.api.dataset;

import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetRecords.CreateDatasetRequest;
import dev.canopy.api.dataset.DatasetRecords.DatasetResponse;
import dev.canopy.api.dataset.DatasetRecords.VersionResponse;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Datasets and their immutable versions. */
@ApplicationScoped
public class DatasetService {

    @Inject
    DatasetRepository datasets;

    @Inject
    DatasetVersionRepository versions;

    @Inject
    TeamAccess access;

    @Inject
    DatasetUpload upload;

    @Inject
    ArtifactStore store;

    @Transactional
    DatasetResponse create(String team, CreateDatasetRequest request) {
        TeamScope scope = access.write(team);
        if (datasets.findByTeamAndName(scope.teamId(), request.name()).isPresent()) {
            throw new Conflict("Dataset '" + request.name() + "' already exists", "name", "already taken");
        }
        Dataset dataset =
                new Dataset(scope.teamId(), request.name(), request.description(), scope.userId(), DatabaseTime.now());
        datasets.persist(dataset);
        Log.infof("Dataset %s (%s) created in team %s", dataset.name, dataset.id, scope.teamName());
        return toResponses(List.of(dataset)).get(0);
    }

    List<DatasetResponse> list(String team) {
        TeamScope scope = access.read(team);
        return toResponses(datasets.findByTeam(scope.teamId()));
    }

    DatasetResponse get(String team, String name) {
        return toResponses(List.of(find(access.read(team), name))).get(0);
    }

    /** A page of the dataset's versions, with their profiles, oldest first unless {@code newestFirst}. */
    List<VersionResponse> versions(String team, String name, boolean newestFirst, int offset, int limit) {
        Dataset dataset = find(access.read(team), name);
        return versions.findByDataset(dataset.id, newestFirst, offset, limit).stream()
                .map(VersionResponse::from)
                .toList();
    }

    VersionResponse version(String team, String name, String version) {
        return VersionResponse.from(findVersion(access.read(team), name, version));
    }

    /** Content of a version, for download. The caller closes the stream. */
    Content content(String team, String name, String version) throws IOException {
        return contentOf(findVersion(access.read(team), name, version));
    }

    private Content contentOf(DatasetVersion v) throws IOException {
        return new Content(
                store.open(v.artifactKey), v.sizeBytes, v.sha256, v.dataset.name + "-v" + v.version + ".csv");
    }

    /** The bytes of a dataset version, for download; the receiver closes the stream. */
    public record Content(InputStream stream, long sizeBytes, String sha256, String fileName) {}

    /**
     * A dataset version by id, without a team check: for the worker protocol, whose caller (a runner holding a
     * run's lease) has been checked already.
     */
    public DatasetVersionRef version(UUID versionId) {
        return DatasetVersionRef.from(
                versions.findByIdOptional(versionId).orElseThrow(() -> new NotFound("dataset version", versionId)));
    }

    /** The content of a dataset version by id; same caveat as {@link #version(UUID)}. */
    public Content open(UUID versionId) throws IOException {
        DatasetVersion v =
                versions.findByIdOptional(versionId).orElseThrow(() -> new NotFound("dataset version", versionId));
        return contentOf(v);
    }

    /**
     * Streams a CSV into a new version, or returns the existing version with the same bytes. Nothing is kept
     * if the CSV is malformed or too large; a body that says up front it is too large ({@code declaredLength}, its
     * Content-Length, null when chunked) is refused before a byte is read. Runs outside any transaction while the
     * body streams in.
     */
    UploadResult upload(String team, String name, Long declaredLength, InputStream body) throws IOException {
        TeamScope scope = access.write(team);
        UUID datasetId = find(scope, name).id;
        return upload.receive(scope, datasetId, declaredLength, body);
    }

    record UploadResult(VersionResponse version, boolean created) {}

    /** Resolves a dataset version of a team for another feature; {@code version} may be "latest". */
    public DatasetVersionRef resolve(TeamScope scope, String dataset, String version) {
        return DatasetVersionRef.from(findVersion(scope, dataset, version));
    }

    /** Whether a team's dataset has a version yet (404 when there is no such dataset). */
    public boolean hasVersions(TeamScope scope, String name) {
        return versions.highestNumber(find(scope, name).id) > 0;
    }

    /** The id of a team's dataset, for features that refer to it (schedules). */
    public UUID idOf(TeamScope scope, String name) {
        return find(scope, name).id;
    }

    /** The name of a team's dataset by id. */
    public String nameOf(TeamScope scope, UUID datasetId) {
        return datasets.findByIdOptional(datasetId)
                .filter(d -> d.teamId.equals(scope.teamId()))
                .map(d -> d.name)
                .orElse(null);
    }

    /** Looks up versions by id within a team (for lineage display); unknown ids are skipped. */
    public List<DatasetVersionLabel> findVersions(TeamScope scope, List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        // Their profiles are not read: a run list names its inputs, and a wide dataset's profile is megabytes.
        return versions.getEntityManager()
                .createQuery(
                        "select new dev.canopy.api.dataset.DatasetVersionLabel(v.id, v.dataset.name, v.version,"
                                + " v.sha256, v.rowCount) from DatasetVersion v"
                                + " where v.id in :ids and v.dataset.teamId = :team",
                        DatasetVersionLabel.class)
                .setParameter("ids", ids)
                .setParameter("team", scope.teamId())
                .getResultList();
    }

    private Dataset find(TeamScope scope, String name) {
        return datasets.findByTeamAndName(scope.teamId(), name).orElseThrow(() -> new NotFound("dataset", name));
    }

    private DatasetVersion findVersion(TeamScope scope, String name, String version) {
        Dataset dataset = find(scope, name);
        Optional<DatasetVersion> found = "latest".equals(version)
                ? versions.findLatest(dataset.id)
                : versions.findByNumber(dataset.id, parseVersion(version));
        return found.orElseThrow(() -> new NotFound("version " + version + " of dataset '" + name + "' not found"));
    }

    private static int parseVersion(String version) {
        // ASCII digits only: Integer.parseInt reads other scripts' digits too.
        if (version != null && version.matches("0*[1-9][0-9]{0,8}")) {
            int number = Integer.parseInt(version);
            if (number > 0) {
                return number;
            }
        }
        throw new InvalidRequest("version", "must be a positive integer or 'latest', not '" + version + "'");
    }

    private List<DatasetResponse> toResponses(List<Dataset> page) {
        Map<UUID, Integer> latest =
                versions.highestNumbers(page.stream().map(d -> d.id).toList());
        return page.stream()
                .map(dataset -> new DatasetResponse(
                        dataset.id,
                        dataset.name,
                        dataset.description,
                        dataset.createdAt,
                        latest.get(dataset.id),
                        latest.getOrDefault(dataset.id, 0)))
                .toList();
    }
}
