package dev.canopy.runner.worker;

import dev.canopy.runner.energy.RunEnergy;
import dev.canopy.runner.energy.Slot;
import dev.canopy.runner.recipe.Checkpoint;
import dev.canopy.runner.recipe.Recipe;
import dev.canopy.runner.recipe.TrainingFailure;
import dev.canopy.runner.recipe.TrainingResult;
import dev.canopy.runner.recipe.TrainingStopped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The attempts a runner claims, one at a time: each is charged its energy from the claim on, prepared (the dataset
 * from the runner's cache, the checkpoint to resume from), trained by its recipe, and reported as finished (with its
 * model), failed with a reason a person can act on, or stopped (cancelled, or draining).
 */
final class RunAttempts {

    private static final Logger LOG = Logger.getLogger(RunAttempts.class.getName());

    private final String runnerName;
    private final Map<String, Recipe> recipes;
    private final ControlPlane controlPlane;
    private final Slot slot;
    private final List<Integer> gpuSet;
    private final DatasetCache cache;

    /**
     * @param slot the runner's share of the process's energy meter
     * @param gpuSet the runner's CUDA devices; an attempt trains on the first of them it asks for
     */
    RunAttempts(
            String runnerName,
            Map<String, Recipe> recipes,
            ControlPlane controlPlane,
            Slot slot,
            List<Integer> gpuSet,
            DatasetCache cache) {
        this.runnerName = runnerName;
        this.recipes = Map.copyOf(recipes);
        this.controlPlane = controlPlane;
        this.slot = slot;
        this.gpuSet = List.copyOf(gpuSet);
        this.cache = cache;
    }

    /**
     * Carries out one claimed attempt, telling {@code claim} its energy meter as soon as it runs (heartbeats report
     * it while the attempt is prepared) and its execution when its run is ready to train; returns when the control
     * plane knows how it ended (or when it is no longer this runner's to report). A cancel, a lost lease or a drain
     * heard while the dataset downloads cuts the download short.
     *
     * @return false when this runner could not take the run for a reason of its own (a disk that cannot keep the
     *     cache's reserve free, a work directory it cannot write): the run went back to the queue at no cost, and
     *     the runner should wait before it claims again rather than take and give back every run
     */
    boolean execute(ClaimedAttempt claim) throws InterruptedException {
        Protocol.Assignment assignment = claim.assignment();
        LOG.info(() -> "Run " + assignment.runId() + " attempt " + assignment.attempt() + ": " + assignment.recipe());
        Recipe recipe = recipes.get(assignment.recipe());
        // From the claim on, the run is charged this runner's devices and share of the process.
        RunEnergy energy = slot.begin(assignment.runId() + "#" + assignment.attempt(), assignment.gpus());
        claim.metered(energy);
        try {
            if (recipe == null) {
                report(
                        assignment,
                        new Protocol.Fail(
                                assignment.attempt(),
                                "recipe " + assignment.recipe() + " is not installed on runner " + runnerName,
                                Protocol.Energy.of(energy.end())));
                return true;
            }
            RunExecution run;
            try {
                run = prepare(claim, energy);
            } catch (ControlPlane.DownloadStopped e) {
                preparationStopped(claim, energy);
                return true;
            } catch (DatasetCache.TooLarge e) {
                // The run's own trouble: given back, it would come to this runner again and again, ahead of the
                // runs behind it. Failed with what to do; the runner goes on with the next run.
                report(
                        assignment,
                        new Protocol.Fail(
                                assignment.attempt(),
                                "runner " + runnerName + " cannot take the run: " + e.getMessage()
                                        + "; free disk space there, or run it where the disk is larger",
                                Protocol.Energy.of(energy.end())));
                return true;
            } catch (DatasetCache.Corrupt e) {
                // Any runner would download the same: failed with what to do, rather than left to its lease three
                // times and failed as a runner that stopped responding.
                report(
                        assignment,
                        new Protocol.Fail(
                                assignment.attempt(),
                                "runner " + runnerName + " downloaded the dataset version twice with the wrong"
                                        + " checksum: " + e.getMessage() + "; the stored copy is likely damaged:"
                                        + " upload the data again (as a new version) and run on that",
                                Protocol.Energy.of(energy.end())));
                return true;
            } catch (IOException | UncheckedIOException e) {
                if (!(e instanceof DatasetCache.NoRoom) && cache.writable()) {
                    throw e;
                }
                // The runner's own disk: any other runner may do better, and this one would fail every run alike.
                Protocol.Stopped unfit =
                        new Protocol.Stopped(assignment.attempt(), "UNFIT", Protocol.Energy.of(energy.end()));
                Retry.run(() -> controlPlane.stopped(assignment.runId(), unfit));
                LOG.warning(() -> "Run " + assignment.runId() + " given back to the queue: runner " + runnerName
                        + " cannot take it (" + e.getMessage() + ")");
                return false;
            }
            claim.running(run);
            try {
                train(recipe, claim, run);
            } finally {
                run.close();
            }
        } catch (ControlPlane.LostRun e) {
            LOG.info(() -> "Run " + assignment.runId() + " attempt " + assignment.attempt() + " is no longer ours: "
                    + e.getMessage());
        } catch (ControlPlane.Refused e) {
            // The attempt's lease expires and the run goes back to the queue. A refusal of the runner itself (a
            // revoked token) stops the runner at its next claim, refused too.
            LOG.warning(() -> "Run " + assignment.runId() + ": the control plane refused this runner's request ("
                    + e.getMessage() + "); its lease will expire");
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "Run " + assignment.runId() + " could not be reported; its lease will expire", e);
        } catch (TrainingStopped e) {
            // Interrupted: the process is stopping.
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            // Only preparing gets here (training's own errors fail the run in train): an answer this runner cannot
            // read, or a checkpoint too large for its heap, say. The run is failed with the reason and the runner
            // goes on with the next.
            LOG.log(Level.SEVERE, "Run " + assignment.runId() + " could not be prepared", e);
            failQuietly(
                    assignment,
                    new Protocol.Fail(
                            assignment.attempt(),
                            "runner " + runnerName + " could not prepare the run: " + e,
                            Protocol.Energy.of(energy.end())));
        } finally {
            energy.end();
        }
        return true;
    }

    /** Gives a run claimed as this runner began to drain back to the queue, untouched; else its lease expires. */
    void giveBack(Protocol.Assignment a) {
        try {
            Retry.run(() -> controlPlane.stopped(a.runId(), new Protocol.Stopped(a.attempt(), "DRAINING", null)));
            LOG.info(() -> "Run " + a.runId() + " given back untouched: the runner drains");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Run " + a.runId() + " could not be given back; its lease will expire", e);
        }
    }

    private RunExecution prepare(ClaimedAttempt claim, RunEnergy energy) throws IOException, InterruptedException {
        Protocol.Assignment a = claim.assignment();
        Path dataset = cache.get(
                a.dataset().sha256(),
                a.dataset().sizeBytes(),
                file -> controlPlane.downloadDataset(a.runId(), a.attempt(), file, claim::stopped));
        Optional<Checkpoint> checkpoint = Optional.empty();
        if (a.checkpointEpoch() != null) {
            ControlPlane.StoredCheckpoint stored = controlPlane.checkpoint(a.runId(), a.attempt());
            checkpoint = Optional.of(new Checkpoint(stored.epoch(), stored.bytes()));
        }
        return new RunExecution(claim, controlPlane, dataset, checkpoint, energy, gpuSet.subList(0, a.gpus()));
    }

    /**
     * Ends an attempt whose dataset download a cancel, a lost lease or a drain cut short, without waiting for the
     * download (an hour, for a large dataset on a slow link): a cancelled run is killed, a drained one goes back to
     * the queue at no cost, a lost one is another attempt's.
     */
    private void preparationStopped(ClaimedAttempt claim, RunEnergy energy) {
        Protocol.Assignment a = claim.assignment();
        if (claim.lost()) {
            LOG.info(() -> "Run " + a.runId() + " attempt " + a.attempt() + " is no longer ours: its download stopped");
            return;
        }
        stopped(claim, claim.cancelled() ? "CANCELLED" : "DRAINING", Protocol.Energy.of(energy.end()));
    }

    private void train(Recipe recipe, ClaimedAttempt claim, RunExecution run) throws IOException, InterruptedException {
        Protocol.Assignment a = claim.assignment();
        try {
            TrainingResult result;
            try {
                result = recipe.train(run);
            } catch (UncheckedIOException e) {
                // The recipe's own (a file it reads): its reports to the control plane never throw into it. Left to
                // the lease, it would cost an attempt on each runner that claims the run.
                throw new TrainingFailure("input or output failed on runner " + runnerName + ": " + e, e);
            }
            run.flushReports();
            if (run.lost()) {
                LOG.info(() -> "Run " + a.runId() + " trained, but it is no longer ours to report");
                return;
            }
            if (run.refused() != null) {
                // The last epoch's report was refused after training had ended.
                report(a, new Protocol.Fail(a.attempt(), run.refused(), run.endEnergy()));
                return;
            }
            if (run.cancelled()) {
                // Cancelled after the last epoch (heard with its report or a heartbeat): the run ends KILLED, so its
                // model is not uploaded.
                stopped(claim, "CANCELLED", run.endEnergy());
                return;
            }
            Retry.run(() -> controlPlane.putModel(a.runId(), a.attempt(), result.model()));
            Protocol.Complete complete =
                    new Protocol.Complete(a.attempt(), result.testMetrics(), result.notes(), run.endEnergy());
            Retry.run(() -> controlPlane.complete(a.runId(), complete));
            LOG.info(() -> "Run " + a.runId() + " finished: " + result.testMetrics());
        } catch (TrainingFailure e) {
            run.flushReports();
            report(a, new Protocol.Fail(a.attempt(), e.getMessage(), run.endEnergy()));
        } catch (TrainingStopped e) {
            run.flushReports();
            if (run.lost()) {
                LOG.info(() -> "Run " + a.runId() + " stopped: its lease was lost");
            } else if (run.refused() != null) {
                report(a, new Protocol.Fail(a.attempt(), run.refused(), run.endEnergy()));
            } else {
                stopped(claim, run.cancelled() ? "CANCELLED" : "DRAINING", run.endEnergy());
            }
        } catch (OutOfMemoryError e) {
            report(
                    a,
                    new Protocol.Fail(
                            a.attempt(),
                            "out of memory on runner " + runnerName
                                    + "; lower batchSize or hiddenLayers, or give the runner more memory",
                            run.endEnergy()));
        } catch (ControlPlane.LostRun | UncheckedIOException e) {
            // No longer ours, or the control plane unreachable for the report: the lease decides what comes next.
            throw e;
        } catch (RuntimeException | StackOverflowError | AssertionError | LinkageError e) {
            if (e instanceof UnsatisfiedLinkError natives) {
                // Natives that do not load: the runner's trouble, and every run would fail alike. It stops (status
                // 1) and the run goes back to the queue when its lease expires.
                throw natives;
            }
            // A recipe's bug (endless recursion, a failed assert, a class its jar lacks) fails its run, not the
            // runner: left to the lease, it would stop each runner that claims it in turn.
            LOG.log(Level.SEVERE, "Run " + a.runId() + " failed unexpectedly", e);
            report(
                    a,
                    new Protocol.Fail(
                            a.attempt(), "unexpected error on runner " + runnerName + ": " + e, run.endEnergy()));
        }
    }

    private void stopped(ClaimedAttempt claim, String reason, Protocol.Energy energy) {
        Protocol.Assignment a = claim.assignment();
        Protocol.Stopped stopped = new Protocol.Stopped(a.attempt(), reason, energy);
        // Not for 10 minutes: a cancelled run is killed when its lease expires anyway, and a drain has a deadline.
        Retry.call(
                () -> {
                    controlPlane.stopped(a.runId(), stopped);
                    return null;
                },
                claim::reportingMoot);
        LOG.info(() -> "Run " + a.runId() + " stopped: " + reason);
    }

    private void report(Protocol.Assignment a, Protocol.Fail fail) {
        try {
            Retry.run(() -> controlPlane.fail(a.runId(), fail));
        } catch (ControlPlane.Refused e) {
            // A revoked token, say: the run is not failed, its lease expires and it goes back to the queue.
            LOG.warning(() -> "Run " + a.runId() + " stopped: " + fail.reason() + "; the control plane refused to"
                    + " fail it too (" + e.getMessage() + "), so it goes back to the queue when its lease expires");
            throw e;
        }
        LOG.info(() -> "Run " + a.runId() + " failed: " + fail.reason());
    }

    /** Fails the run if the control plane can be told; else its lease expires. */
    private void failQuietly(Protocol.Assignment a, Protocol.Fail fail) {
        try {
            report(a, fail);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Run " + a.runId() + " could not be failed; its lease will expire", e);
        }
    }
}
