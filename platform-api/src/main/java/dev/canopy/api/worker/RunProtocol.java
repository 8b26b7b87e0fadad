package dev.canopy.api.worker;

import static dev.canopy.api.worker.RunFiles.checkpointKey;
import static dev.canopy.api.worker.RunFiles.modelKey;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.carbon.EnergyAccounting;
import dev.canopy.api.carbon.EnergyReport;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.error.BoundedBody;
import dev.canopy.api.error.Conflict;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.NewModelVersion;
import dev.canopy.api.run.Keys;
import dev.canopy.api.run.RunExecutions;
import dev.canopy.api.run.RunExecutions.Execution;
import dev.canopy.api.run.RunProgress;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.worker.WorkerRecords.CompleteRequest;
import dev.canopy.api.worker.WorkerRecords.EpochReport;
import dev.canopy.api.worker.WorkerRecords.EpochResponse;
import dev.canopy.api.worker.WorkerRecords.FailRequest;
import dev.canopy.api.worker.WorkerRecords.StopReason;
import dev.canopy.api.worker.WorkerRecords.StoppedRequest;
import dev.canopy.scheduler.queue.Lease;
import dev.canopy.scheduler.queue.RunQueue;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a runner does with a run it holds. Every call names the attempt it holds; a stale attempt (the lease
 * expired and the run moved on) is refused with 409 and changes nothing.
 */
@ApplicationScoped
class RunProtocol {

    @Inject
    WorkerSessions sessions;

    @Inject
    RunQueue queue;

    @Inject
    RunExecutions executions;

    @Inject
    DatasetService datasets;

    @Inject
    ModelService models;

    @Inject
    ArtifactStore store;

    @Inject
    RunnerUploadConfig uploads;

    @Inject
    EnergyAccounting energy;

    @Inject
    ObjectMapper json;

    @Inject
    TeamAccess access;

    DatasetService.Content dataset(UUID workerId, UUID runId, int attempt) throws IOException {
        return datasets.open(leased(workerId, runId, attempt).datasetVersionId());
    }

    /** The run, once its lease is checked, in a transaction of its own. */
    private Execution leased(UUID workerId, UUID runId, int attempt) {
        return QuarkusTransaction.requiringNew().call(() -> {
            lease(workerId, runId, attempt);
            return executions.execution(runId);
        });
    }

    /** The last committed checkpoint and its epoch; 404 when there is none yet. */
    Checkpoint checkpoint(UUID workerId, UUID runId, int attempt) throws IOException {
        Execution run = leased(workerId, runId, attempt);
        if (run.checkpointEpoch() == null) {
            throw new NotFound("run " + runId + " has no checkpoint yet");
        }
        try {
            return new Checkpoint(run.checkpointEpoch(), store.open(checkpointKey(runId, run.checkpointEpoch())));
        } catch (NoSuchFileException e) {
            // Lost from the store (by hand, or a store restored from an older backup): no attempt can resume, and
            // each would fail alike until the run ran out of attempts. 409 tells the runner it is not its run.
            String reason = "its checkpoint of epoch " + run.checkpointEpoch()
                    + " is missing from the artifact store, so it cannot resume; submit the run again";
            QuarkusTransaction.requiringNew().run(() -> fail(workerId, runId, new FailRequest(attempt, reason, null)));
            throw new Conflict("Run " + runId + " failed: " + reason);
        }
    }

    record Checkpoint(int epoch, InputStream stream) {}

    /** Stores an epoch's checkpoint; it counts only once the epoch is reported. */
    void putCheckpoint(UUID workerId, UUID runId, int attempt, int epoch, InputStream body) throws IOException {
        QuarkusTransaction.requiringNew().run(() -> lease(workerId, runId, attempt));
        put(workerId, runId, attempt, checkpointKey(runId, epoch), body, "Checkpoints");
    }

    /** Stores the trained model; it counts only once the run is reported complete. */
    void putModel(UUID workerId, UUID runId, int attempt, InputStream body) throws IOException {
        UUID team = leased(workerId, runId, attempt).teamId();
        put(workerId, runId, attempt, modelKey(team, runId), body, "Trained models");
    }

    @Transactional
    EpochResponse epoch(UUID workerId, UUID runId, EpochReport report) {
        Lease lease = lease(workerId, runId, report.attempt());
        if (report.epoch() > report.epochs()) {
            throw new InvalidRequest("epoch", "epoch " + report.epoch() + " of " + report.epochs() + " epochs");
        }
        checkMetrics("metrics", report.metrics());
        charge(workerId, runId, report.attempt(), report.energy(), false);
        if (report.checkpoint() && !store.exists(checkpointKey(runId, report.epoch()))) {
            throw new InvalidRequest("checkpoint", "no checkpoint was stored for epoch " + report.epoch());
        }
        double fraction = (double) report.epoch() / report.epochs();
        executions.epochFinished(
                runId,
                report.epoch(),
                report.metrics(),
                new RunProgress(report.epoch(), report.epochs(), fraction, report.etaSeconds()),
                report.checkpoint());
        if (report.checkpoint() && report.epoch() > 2) {
            // Keep the last two: the previous one stays committed until this transaction is.
            deleteQuietly(checkpointKey(runId, report.epoch() - 2));
        }
        return new EpochResponse(lease.cancelRequested());
    }

    @Transactional
    void complete(UUID workerId, UUID runId, CompleteRequest request) {
        Lease lease = lease(workerId, runId, request.attempt());
        checkMetrics("testMetrics", request.testMetrics());
        charge(workerId, runId, request.attempt(), request.energy(), true);
        if (lease.cancelRequested()) {
            // Cancelled after the runner's last report and answered 200: KILLED as said (in fail too), not registered.
            executions.killed(runId);
            queue.remove(runId);
            Log.infof("Run %s was cancelled before its runner completed it: KILLED, its model not registered", runId);
            return;
        }
        Execution run = executions.execution(runId);
        String modelKey = modelKey(run.teamId(), runId);
        if (!store.exists(modelKey)) {
            throw new InvalidRequest("model", "upload the model before completing the run");
        }
        Map<String, Object> spec = run.registerAs() == null ? Map.of() : TrainedModelSpec.of(store, json, modelKey);
        UUID version = run.registerAs() == null
                ? null
                : models.register(new NewModelVersion(
                                run.teamId(),
                                run.registerAs(),
                                runId,
                                run.datasetVersionId(),
                                run.recipe(),
                                run.params(),
                                request.testMetrics(),
                                modelKey,
                                spec))
                        .id();
        executions.finished(
                runId, request.testMetrics(), request.notes() == null ? List.of() : request.notes(), version);
        queue.remove(runId);
    }

    /** Metric names as the REST API takes them ({@link Keys#RULE}), values finite or NaN. */
    private static void checkMetrics(String field, Map<String, Double> metrics) {
        metrics.forEach((name, value) -> {
            if (!Keys.valid(name)) {
                throw new InvalidRequest(field, "metric names must be " + Keys.RULE);
            }
            if (value == null || Double.isInfinite(value)) {
                throw new InvalidRequest(field + "." + name, "must be a finite number or NaN");
            }
        });
    }

    @Transactional
    void fail(UUID workerId, UUID runId, FailRequest request) {
        Lease lease = lease(workerId, runId, request.attempt());
        charge(workerId, runId, request.attempt(), request.energy(), true);
        if (lease.cancelRequested()) {
            executions.killed(runId);
            Log.infof("Run %s was cancelled before its runner failed it (%s): KILLED", runId, request.reason());
        } else {
            executions.failed(runId, request.reason());
        }
        queue.remove(runId);
    }

    @Transactional
    void stopped(UUID workerId, UUID runId, StoppedRequest request) {
        Lease lease = lease(workerId, runId, request.attempt());
        charge(workerId, runId, request.attempt(), request.energy(), true);
        // A cancel asked for after the runner's last report but before its drain is carried out now: given back to
        // the queue, the run would wait there for good (claims skip cancelled runs).
        if (request.reason() == StopReason.CANCELLED || lease.cancelRequested()) {
            executions.killed(runId);
            queue.remove(runId);
        } else {
            queue.release(runId, request.attempt(), workerId);
            executions.released(runId);
        }
    }

    /** Charges the attempt's energy reading, if the runner sent one; {@code last} closes the attempt's meter. */
    private void charge(UUID workerId, UUID runId, int attempt, EnergyReport reading, boolean last) {
        if (reading != null) {
            energy.run(
                    executions.execution(runId).teamId(),
                    runId,
                    attempt,
                    WorkerSessions.reporter(sessions.requireOwn(workerId)),
                    reading,
                    last);
        }
    }

    /** The caller's lease on the run, or 409 for a stale attempt. */
    private Lease lease(UUID workerId, UUID runId, int attempt) {
        sessions.requireOwn(workerId);
        return queue.current(runId, attempt, workerId)
                .orElseThrow(() -> new Conflict(
                        "Attempt " + attempt + " of run " + runId
                                + " is stale: the run is no longer held by this runner under that attempt",
                        "attempt",
                        "stale"));
    }

    private void deleteQuietly(String key) {
        try {
            store.delete(key);
        } catch (IOException e) {
            Log.warnf("Could not delete old checkpoint %s: %s", key, e.getMessage());
        }
    }

    /**
     * Stages the upload, then makes it readable under {@code key} only while the attempt holds the run and the runner's
     * token still works: the lease row and the token stay locked until the commit is done, so an attempt gone stale
     * during its upload (its successor may write the same key) gets 409, a token revoked meanwhile 401 (its checkpoint
     * would be what the next attempt resumes from), and nothing is written. Past the maximum size, 413 naming {@code
     * what}.
     */
    private void put(UUID workerId, UUID runId, int attempt, String key, InputStream body, String what)
            throws IOException {
        long max = uploads.maxArtifactSize().asLongValue();
        try (ArtifactStore.Staged staged = store.stage()) {
            new BoundedBody(body, max, what, "canopy.runners.max-artifact-size").transferTo(staged.output());
            QuarkusTransaction.requiringNew().run(() -> {
                lease(workerId, runId, attempt);
                access.recheckToken();
                try {
                    staged.commit(key);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
