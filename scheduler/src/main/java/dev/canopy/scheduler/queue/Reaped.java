package dev.canopy.scheduler.queue;

import java.util.UUID;

/** A run whose lease expired, and what the reaper did with it. */
public record Reaped(UUID runId, int attempt, Outcome outcome) {

    public enum Outcome {
        /** Back in the queue for another attempt. */
        REQUEUED,
        /** Out of attempts: the run has failed. */
        FAILED,
        /** A cancel had been asked for: the run is killed. */
        KILLED
    }
}
