package dev.canopy.scheduler.queue;

import java.time.Instant;
import java.util.UUID;

/** A queued or leased run as the queue listing shows it; {@code position} counts from 1, null when leased. */
public record QueueEntry(
        UUID runId,
        String state,
        Integer position,
        int priority,
        int gpus,
        int attempt,
        UUID workerId,
        Instant enqueuedAt) {}
