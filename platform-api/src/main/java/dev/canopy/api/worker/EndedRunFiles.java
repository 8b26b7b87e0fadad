package dev.canopy.api.worker;

import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.run.TrainedRunEnded;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.io.IOException;

/**
 * Deletes what a trained run's runners stored that nothing will read once it has ended: its checkpoints (no attempt
 * resumes from them any more; a run keeps its last two while it runs) and, unless it finished, the model its runner
 * uploaded before the run was cancelled or failed (nothing registers it; only a finished run's model is kept, as
 * its model version's artifact or the run's output). After the commit, so that a transaction that rolls back
 * leaves them.
 */
@ApplicationScoped
class EndedRunFiles {

    @Inject
    ArtifactStore store;

    void onEnded(@Observes(during = TransactionPhase.AFTER_SUCCESS) TrainedRunEnded ended) {
        try {
            store.deleteAll(RunFiles.checkpointFolder(ended.runId()));
        } catch (IOException | RuntimeException e) {
            Log.warnf("Could not delete the checkpoints of run %s: %s", ended.runId(), e.getMessage());
        }
        if (!ended.finished()) {
            try {
                store.delete(RunFiles.modelKey(ended.teamId(), ended.runId()));
            } catch (IOException | RuntimeException e) {
                Log.warnf("Could not delete the unused model of run %s: %s", ended.runId(), e.getMessage());
            }
        }
    }
}
