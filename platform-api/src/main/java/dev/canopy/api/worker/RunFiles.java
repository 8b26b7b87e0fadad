package dev.canopy.api.worker;

import java.util.UUID;

/** Where a trained run's files are kept in the artifact store: its checkpoints, and its model. */
final class RunFiles {

    private RunFiles() {}

    static String checkpointKey(UUID runId, int epoch) {
        return checkpointFolder(runId) + "/epoch-" + epoch + ".ckpt";
    }

    /** Where the run's checkpoints are kept. */
    static String checkpointFolder(UUID runId) {
        return "checkpoints/" + runId;
    }

    static String modelKey(UUID teamId, UUID runId) {
        return "models/" + teamId + "/" + runId + ".zip";
    }
}
