package dev.canopy.scheduler.queue;

import java.util.UUID;

/**
 * A run whose lease expired, and what the reaper did with it.
 *
 * @param lostLeases how many of the run's leases have expired, this one included (drained attempts, and the first
 *     few leases no heartbeat confirmed, do not count)
 * @param unconfirmed no heartbeat had confirmed the lease (its claim's answer was likely lost), and it did not count
 */
public record Reaped(UUID runId, int attempt, int lostLeases, Outcome outcome, boolean unconfirmed) {

    public enum Outcome {
        /** Back in the queue for another attempt. */
        REQUEUED,
        /** Its runners were lost as many times as it has attempts: the run has failed. */
        FAILED,
        /** A cancel had been asked for: the run is killed. */
        KILLED
    }
}
