package dev.canopy.runner.worker;

import dev.canopy.runner.energy.RunEnergy;
import dev.canopy.runner.recipe.Checkpoint;
import dev.canopy.runner.recipe.DatasetProfile;
import dev.canopy.runner.recipe.TrainingContext;
import dev.canopy.runner.recipe.TrainingStopped;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One claimed run as its recipe sees it: the dataset on disk, the checkpoint to resume from, and callbacks that
 * report epochs to the control plane (on a thread of their own, in order). Cancellation (from a heartbeat or an
 * epoch reply) and a refused report stop training at the next progress call; draining stops it right after the next
 * checkpoint, or at the next progress call once the epoch under way has had {@link ClaimedAttempt#DRAIN_EPOCH_WAIT} to end (the run
 * then resumes after its last checkpoint, the epoch under way done again).
 */
final class RunExecution implements TrainingContext {

    private final ClaimedAttempt claim;
    private final Protocol.Assignment assignment;
    private final ControlPlane controlPlane;
    private final Path dataset;
    private final Optional<Checkpoint> checkpoint;
    private final RunEnergy energy;
    private final List<Integer> gpuIds;
    private final long startedNanos = System.nanoTime();
    private volatile Protocol.Progress progress;
    private volatile String refused;
    private double startFraction = -1;
    /** Two at most: the one being sent, and the next epoch's waiting behind it. */
    private final ReportChain reports = new ReportChain(2);

    /**
     * @param claim the attempt, whose cancel, loss or drain stops training
     * @param energy the run's energy meter, begun when the run was claimed
     * @param gpuIds the CUDA devices the run trains on (the first of the runner's GPU set)
     */
    RunExecution(
            ClaimedAttempt claim,
            ControlPlane controlPlane,
            Path dataset,
            Optional<Checkpoint> checkpoint,
            RunEnergy energy,
            List<Integer> gpuIds) {
        this.claim = claim;
        this.assignment = claim.assignment();
        this.controlPlane = controlPlane;
        this.dataset = dataset;
        this.checkpoint = checkpoint;
        this.energy = energy;
        this.gpuIds = List.copyOf(gpuIds);
    }

    /** The run's energy so far (live). */
    Protocol.Energy energy() {
        return Protocol.Energy.of(energy.reading());
    }

    /** Ends the run's metering; the final reading (the same on every call). */
    Protocol.Energy endEnergy() {
        return Protocol.Energy.of(energy.end());
    }

    Protocol.Assignment assignment() {
        return assignment;
    }

    Protocol.Progress currentProgress() {
        return progress;
    }

    boolean cancelled() {
        return claim.cancelled();
    }

    boolean lost() {
        return claim.lost();
    }

    @Override
    public Path dataset() {
        return dataset;
    }

    @Override
    public DatasetProfile profile() {
        return new DatasetProfile(
                assignment.dataset().rowCount(),
                assignment.dataset().columns().stream()
                        .map(c -> new DatasetProfile.Column(
                                c.name(), c.type(), c.missing(), c.distinct(), c.distinctCapped()))
                        .toList());
    }

    @Override
    public Map<String, Object> params() {
        return assignment.params();
    }

    @Override
    public int gpus() {
        return assignment.gpus();
    }

    @Override
    public List<Integer> gpuIds() {
        return gpuIds;
    }

    @Override
    public Optional<Checkpoint> checkpoint() {
        return checkpoint;
    }

    /**
     * Reports the epoch (checkpoint, then metrics) on the reporting thread, in order, while training goes on: the
     * control plane's round trips do not hold up the next epoch, unless two reports are still waiting (see {@link
     * ReportChain}). A drain waits for the report, so that the run resumes after this checkpoint.
     */
    @Override
    public void epochFinished(int epoch, int epochs, Map<String, Double> metrics, byte[] bytes) {
        stopIfCancelled();
        progress = progressAt(epoch, epochs, (double) epoch / epochs);
        Long eta = progress.etaSeconds();
        // Read here, at the epoch's end, not when the report thread gets to it.
        Protocol.Energy reading = energy();
        reports.add(() -> report(epoch, epochs, metrics, bytes, eta, reading));
        if (claim.draining() && epoch < epochs) {
            flushReports();
            throw new TrainingStopped("the runner is shutting down; the run resumes after epoch " + epoch);
        }
    }

    private void report(
            int epoch, int epochs, Map<String, Double> metrics, byte[] bytes, Long eta, Protocol.Energy reading) {
        if (claim.lost() || refused != null) {
            return;
        }
        try {
            // Tried until the control plane is back (training waits once two reports are pending), unless a
            // heartbeat learns meanwhile that the run was lost or cancelled, or the runner's drain runs out of time.
            Protocol.EpochReply reply = Retry.call(
                    () -> {
                        controlPlane.putCheckpoint(assignment.runId(), assignment.attempt(), epoch, bytes);
                        return controlPlane.epoch(
                                assignment.runId(),
                                new Protocol.Epoch(assignment.attempt(), epoch, epochs, metrics, eta, true, reading));
                    },
                    claim::reportingMoot);
            if (reply.cancel()) {
                claim.cancel();
            }
        } catch (ControlPlane.LostRun | UncheckedIOException | TrainingStopped e) {
            // The run cannot be reported any more: stop training at the next progress call.
            claim.lose();
        } catch (RuntimeException e) {
            // Refused (a 4xx other than 409, e.g. a revoked token) or a bug: later reports would be refused or
            // skipped too, so training stops at the next progress call and the run is failed with this reason.
            refused = "the control plane refused the report of epoch " + epoch + " (" + e.getMessage()
                    + "); training stopped";
        }
    }

    /** Why an epoch report was refused, stopping the run; null while none was. */
    String refused() {
        return refused;
    }

    /** Waits until every epoch handed over so far is reported. */
    void flushReports() {
        reports.flush();
    }

    /** Ends the reporting thread and the run's metering once the run is over. */
    void close() {
        reports.close();
        energy.end();
    }

    @Override
    public void progress(int epoch, int epochs, double fractionOfRun) {
        progress = progressAt(epoch, epochs, fractionOfRun);
        stopIfCancelled();
        if (claim.drainWaitOver()) {
            flushReports();
            throw new TrainingStopped("the runner is shutting down and epoch " + epoch + " did not end within "
                    + ClaimedAttempt.DRAIN_EPOCH_WAIT.toSeconds() + " s; the run resumes after its last checkpoint");
        }
    }

    private void stopIfCancelled() {
        if (claim.lost()) {
            throw new TrainingStopped("the run moved on to another attempt");
        }
        if (refused != null) {
            throw new TrainingStopped(refused);
        }
        if (claim.cancelled()) {
            throw new TrainingStopped("cancelled");
        }
    }

    /** The time left, from the pace of this attempt (a resumed attempt starts part way). */
    private synchronized Protocol.Progress progressAt(int epoch, int epochs, double fraction) {
        if (startFraction < 0) {
            startFraction = fraction;
        }
        double done = fraction - startFraction;
        double elapsed = (System.nanoTime() - startedNanos) / 1e9;
        Long eta = done > 0 ? Math.round(elapsed / done * (1 - fraction)) : null;
        return new Protocol.Progress(epoch, epochs, fraction, eta);
    }
}
