package dev.canopy.scheduler.queue;

import java.util.UUID;

/** A run a runner believes it holds, as reported in its heartbeat. */
public record HeldRun(UUID runId, int attempt) {}
