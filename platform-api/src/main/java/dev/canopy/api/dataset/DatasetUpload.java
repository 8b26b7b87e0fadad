package dev.canopy.api.dataset;

import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetRecords.VersionResponse;
import dev.canopy.api.dataset.DatasetService.UploadResult;
import dev.canopy.api.error.ErrorResponse;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.logging.Log;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Receiving a dataset version: stream the body through the profiler into a staged artifact (one pass, constant
 * memory), then register it in a short transaction. A malformed or oversized upload leaves nothing behind.
 */
@ApplicationScoped
class DatasetUpload {

    @Inject
    ArtifactStore store;

    @Inject
    DatasetRepository datasets;

    @Inject
    DatasetVersionRepository versions;

    @Inject
    DatasetConfig config;

    @Inject
    TeamAccess access;

    @Inject
    Event<DatasetVersionCreated> created;

    /**
     * The uploads being profiled: each may hold 64 MiB of distinct values, so their number, not only each one's
     * memory, is bounded (twenty-five at once filled a 2 GiB heap).
     */
    private Semaphore profiling;

    /**
     * How many: {@code canopy.datasets.concurrent-uploads}, else one per 256 MiB of heap, 4 to 8 (each upload, and
     * each waiting one, holds one of the server's worker threads: 20 on a small machine).
     */
    private int permits;

    /** The uploads received at once. */
    int permits() {
        return permits;
    }

    @PostConstruct
    void bound() {
        permits = config.concurrentUploads() > 0
                ? config.concurrentUploads()
                : (int) Math.max(4, Math.min(8, Runtime.getRuntime().maxMemory() / (256L << 20)));
        profiling = new Semaphore(permits, true);
    }

    UploadResult receive(TeamScope scope, UUID datasetId, Long declaredLength, InputStream body) throws IOException {
        if (declaredLength != null && declaredLength > config.maxUploadSize().asLongValue()) {
            throw UploadStream.tooLarge(config.maxUploadSize().asLongValue());
        }
        if (!inTurn()) {
            Log.infof(
                    "Upload to dataset %s waits: %d uploads are being received already (canopy.datasets."
                            + "concurrent-uploads)",
                    datasetId, permits);
            profiling.acquireUninterruptibly();
        }
        try {
            return receivePermitted(scope, datasetId, body);
        } finally {
            profiling.release();
        }
    }

    /** A permit now if one is free and nobody waits (tryAcquire() would overtake the waiting uploads). */
    private boolean inTurn() throws IOException {
        try {
            return profiling.tryAcquire(0, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted before the upload was received", e);
        }
    }

    private UploadResult receivePermitted(TeamScope scope, UUID datasetId, InputStream body) throws IOException {
        try (ArtifactStore.Staged staged = store.stage()) {
            UploadStream stream = new UploadStream(
                    body, staged.output(), config.maxUploadSize().asLongValue());
            DatasetProfile profile = profile(stream);
            stream.drain();
            return register(scope, datasetId, stream.sha256Hex(), stream.count(), profile, staged);
        }
    }

    private DatasetProfile profile(UploadStream stream) throws IOException {
        try {
            return new CsvProfiler(config.distinctCap(), config.topCategories()).profile(stream);
        } catch (CsvFormatException e) {
            throw new InvalidRequest(
                    "Malformed CSV at line " + e.line() + ": " + e.problem(),
                    List.of(new ErrorResponse.Detail("content", "line " + e.line() + ": " + e.problem())));
        }
    }

    @Transactional
    UploadResult register(
            TeamScope scope,
            UUID datasetId,
            String sha256,
            long size,
            DatasetProfile profile,
            ArtifactStore.Staged staged)
            throws IOException {
        Dataset dataset = datasets.lockForNewVersion(datasetId);
        // The upload may have streamed for minutes: a token revoked, or a member removed, meanwhile stores nothing.
        access.recheckWrite(scope);
        Optional<DatasetVersion> existing = versions.findBySha256(datasetId, sha256);
        if (existing.isPresent()) {
            return new UploadResult(VersionResponse.from(existing.get()), false);
        }
        String key = "datasets/" + scope.teamId() + "/" + sha256 + ".csv";
        // The content is in place before the row that points at it: a failure in between leaves an orphan
        // file (found again by its hash), never a version without content.
        staged.commit(key);
        int number = versions.highestNumber(datasetId) + 1;
        DatasetVersion version =
                new DatasetVersion(dataset, number, sha256, size, profile, key, scope.userId(), DatabaseTime.now());
        versions.persist(version);
        created.fire(new DatasetVersionCreated(dataset.teamId, dataset.id, version.id, number));
        Log.infof(
                "Dataset %s version %d stored: %d rows, %d bytes, sha256 %s",
                dataset.name, number, version.rowCount, size, sha256);
        return new UploadResult(VersionResponse.from(version), true);
    }
}
