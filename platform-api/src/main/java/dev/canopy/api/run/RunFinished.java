package dev.canopy.api.run;

import java.util.UUID;

/**
 * Fired when a trained run finished; observers that act on it use {@code TransactionPhase.AFTER_SUCCESS}.
 *
 * @param scheduleId the schedule that launched the run, or null
 * @param modelVersionId the version it registered, or null
 */
public record RunFinished(UUID runId, UUID teamId, UUID scheduleId, UUID modelVersionId) {}
