package dev.canopy.scheduler.queue;

import java.time.Instant;
import java.util.UUID;

/**
 * A run held by a runner until {@code leaseUntil}; {@code attempt} is the fencing token its writes must carry.
 */
public record Lease(UUID runId, UUID teamId, int attempt, Instant leaseUntil, boolean cancelRequested) {}
