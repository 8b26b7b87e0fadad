package dev.canopy.api.run;

import java.util.UUID;

/**
 * Fired when a trained run ended, whichever way (finished, failed, killed, cancelled while queued); observers that
 * act on it use {@code TransactionPhase.AFTER_SUCCESS}.
 */
public record TrainedRunEnded(UUID runId) {}
