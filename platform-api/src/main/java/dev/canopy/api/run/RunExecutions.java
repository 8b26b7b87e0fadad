package dev.canopy.api.run;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.NotFound;
import dev.canopy.scheduler.queue.Reaped;
import dev.canopy.scheduler.queue.RunLifecycle;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The run side of training on runners: what a claimed run is, and the state changes its runner reports. The
 * worker protocol checks the runner's lease (attempt) before calling any of these, in the same transaction.
 */
@ApplicationScoped
public class RunExecutions implements RunLifecycle {

    @Inject
    Event<RunFinished> finishedRuns;

    @Inject
    Event<TrainedRunEnded> endedRuns;

    @Inject
    RunRepository runs;

    @Inject
    MetricIngestion metrics;

    /** What a runner needs to train a run. */
    public record Execution(
            UUID runId,
            UUID teamId,
            String name,
            String recipe,
            Map<String, Object> params,
            int gpus,
            UUID datasetVersionId,
            Integer checkpointEpoch,
            String registerAs) {}

    /** A runner claimed the run under {@code attempt}: it is RUNNING now; empty if the run has already ended. */
    @Transactional
    public Optional<Execution> claimed(UUID runId, int attempt) {
        Run run = find(runId);
        if (run.status.isTerminal()) {
            return Optional.empty();
        }
        run.claimed(attempt, DatabaseTime.now());
        Log.infof("Run %s attempt %d started", run.id, attempt);
        return Optional.of(executionOf(run));
    }

    @Transactional
    public Execution execution(UUID runId) {
        return executionOf(find(runId));
    }

    private static Execution executionOf(Run run) {
        return new Execution(
                run.id,
                run.teamId,
                run.name,
                run.recipe,
                run.recipeParams,
                run.gpus,
                run.inputs.stream().findFirst().orElse(null),
                run.checkpointEpoch,
                run.registerAs);
    }

    @Transactional
    public void progress(UUID runId, RunProgress progress) {
        find(runId).progress = progress;
    }

    /**
     * An epoch ended: its metrics are recorded at step {@code epoch} (once: a repeated report changes nothing)
     * and, when its checkpoint was stored, a later attempt resumes after it.
     */
    @Transactional
    public void epochFinished(
            UUID runId, int epoch, Map<String, Double> values, RunProgress progress, boolean checkpointed) {
        Run run = findForWrite(runId);
        metrics.record(runId, MetricIngestion.RUNNER_BATCHES + "epoch-" + epoch, epoch, values);
        run.progress = progress;
        if (checkpointed && (run.checkpointEpoch == null || run.checkpointEpoch < epoch)) {
            run.checkpointEpoch = epoch;
        }
    }

    /** Training succeeded: the test metrics are recorded and the run is FINISHED with its model version. */
    @Transactional
    public void finished(UUID runId, Map<String, Double> testMetrics, List<String> notes, UUID modelVersionId) {
        Run run = findForWrite(runId);
        long step = run.progress == null ? 0 : run.progress.epoch();
        metrics.record(runId, MetricIngestion.RUNNER_BATCHES + "test", step, testMetrics);
        List<String> allNotes = new ArrayList<>(run.notes == null ? List.of() : run.notes);
        notes.stream().filter(n -> !allNotes.contains(n)).forEach(allNotes::add);
        run.notes = allNotes;
        run.modelVersionId = modelVersionId;
        if (run.progress != null) {
            run.progress = new RunProgress(run.progress.epoch(), run.progress.epochs(), 1.0, 0L);
        }
        run.moveTo(RunStatus.FINISHED, DatabaseTime.now());
        Log.infof("Run %s finished", run.id);
        finishedRuns.fire(new RunFinished(run.id, run.teamId, run.scheduleId, modelVersionId));
        endedRuns.fire(TrainedRunEnded.of(run));
    }

    @Transactional
    public void failed(UUID runId, String reason) {
        Run run = find(runId);
        run.fail(reason, DatabaseTime.now());
        endedRuns.fire(TrainedRunEnded.of(run));
        Log.infof("Run %s failed: %s", runId, reason);
    }

    @Transactional
    public void killed(UUID runId) {
        Run run = find(runId);
        run.moveTo(RunStatus.KILLED, DatabaseTime.now());
        endedRuns.fire(TrainedRunEnded.of(run));
        Log.infof("Run %s killed", runId);
    }

    /** Its runner gave it back (draining, or unfit to take it): QUEUED again, to resume on another runner. */
    @Transactional
    public void released(UUID runId) {
        find(runId).requeued();
        Log.infof("Run %s given back by its runner; it resumes from its last checkpoint", runId);
    }

    @Override
    public void reaped(List<Reaped> reaped) {
        for (Reaped r : reaped) {
            Run run = find(r.runId());
            switch (r.outcome()) {
                case REQUEUED -> run.requeued();
                case KILLED -> run.moveTo(RunStatus.KILLED, DatabaseTime.now());
                case FAILED ->
                    run.fail(
                            "Its runner stopped responding "
                                    + (r.lostLeases() == 1 ? "once" : r.lostLeases() + " times")
                                    + " (lease expired); no attempts left",
                            DatabaseTime.now());
            }
            if (r.outcome() != Reaped.Outcome.REQUEUED) {
                endedRuns.fire(TrainedRunEnded.of(run));
            }
        }
    }

    private Run find(UUID runId) {
        return runs.findByIdOptional(runId).orElseThrow(() -> new NotFound("run", runId));
    }

    /**
     * The run, locked before its metrics are written, as the REST API's metric batches lock it: a team's own batch on
     * a trained run and the runner's epoch report apply one after the other (two creating the same new series at
     * once would make one of them fail).
     */
    private Run findForWrite(UUID runId) {
        return runs.findByIdOptional(runId, LockModeType.PESSIMISTIC_WRITE)
                .orElseThrow(() -> new NotFound("run", runId));
    }
}
