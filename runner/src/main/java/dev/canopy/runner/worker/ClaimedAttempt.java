package dev.canopy.runner.worker;

import dev.canopy.runner.energy.RunEnergy;
import java.time.Duration;

/**
 * An attempt this runner claimed, from its claim until it ends, and what stops it: a cancel or the loss of its
 * lease (heard by heartbeats and epoch replies), or the runner's drain. They are heard whether the attempt is still
 * being prepared (its dataset downloading, which a stop cuts short) or already trains (which stops at the next
 * progress call, or for a drain at the next checkpoint).
 */
final class ClaimedAttempt {

    /**
     * How long a drain lets the epoch under way end before it stops the run mid-epoch: within the 30 s container
     * orchestrators give a stopping process by default, and the embedded runners' wait at a control plane's stop.
     */
    static final Duration DRAIN_EPOCH_WAIT = Duration.ofSeconds(20);

    private final Protocol.Assignment assignment;
    private final long claimedAtNanos = System.nanoTime();
    private volatile RunEnergy energy;
    private volatile RunExecution running;
    private volatile boolean cancelled;
    private volatile boolean lost;
    private volatile boolean draining;
    private volatile long drainedAtNanos;

    ClaimedAttempt(Protocol.Assignment assignment) {
        this.assignment = assignment;
    }

    Protocol.Assignment assignment() {
        return assignment;
    }

    /** Nanoseconds since the claim. */
    long age() {
        return System.nanoTime() - claimedAtNanos;
    }

    /** The attempt's energy meter, from the moment it runs (null before). */
    RunEnergy energy() {
        return energy;
    }

    void metered(RunEnergy energy) {
        this.energy = energy;
    }

    /** The attempt as it trains, once prepared (null before). */
    RunExecution running() {
        return running;
    }

    void running(RunExecution run) {
        this.running = run;
    }

    void cancel() {
        cancelled = true;
    }

    /** The control plane gave the run to another attempt (or cannot be told of this one any more). */
    void lose() {
        lost = true;
    }

    /** @param atNanos when the runner began to drain ({@link System#nanoTime()}), perhaps before the claim */
    void drain(long atNanos) {
        drainedAtNanos = atNanos;
        draining = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    boolean lost() {
        return lost;
    }

    boolean draining() {
        return draining;
    }

    /** Whether the runner drains and the epoch under way has had its {@link #DRAIN_EPOCH_WAIT}. */
    boolean drainWaitOver() {
        return draining && System.nanoTime() - drainedAtNanos > DRAIN_EPOCH_WAIT.toNanos();
    }

    /** Whether preparing it should stop: it was cancelled or lost, or the runner drains. */
    boolean stopped() {
        return cancelled || lost || draining;
    }

    /**
     * Whether reports may stop being sent again: the run moved on to another attempt; it was cancelled (a run whose
     * lease expires with a cancel asked for is killed); or its drain's wait is over (the runner is about to exit).
     */
    boolean reportingMoot() {
        return lost || cancelled || drainWaitOver();
    }
}
