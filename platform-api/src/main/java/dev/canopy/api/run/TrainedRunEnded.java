package dev.canopy.api.run;

import java.util.UUID;

/**
 * Fired when a trained run ended, whichever way (finished, failed, killed, cancelled while queued); observers that
 * act on it use {@code TransactionPhase.AFTER_SUCCESS}.
 *
 * @param finished whether it ended FINISHED (with its trained model)
 */
public record TrainedRunEnded(UUID runId, UUID teamId, boolean finished) {

    static TrainedRunEnded of(Run run) {
        return new TrainedRunEnded(run.id, run.teamId, run.status == RunStatus.FINISHED);
    }
}
