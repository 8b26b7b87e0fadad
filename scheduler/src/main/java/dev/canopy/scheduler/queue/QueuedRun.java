package dev.canopy.scheduler.queue;

import java.util.UUID;

/** A trained run to wait in the queue: who it belongs to, what it needs, how often it may be retried. */
public record QueuedRun(UUID runId, UUID teamId, String recipe, int priority, int gpus, int maxAttempts) {}
