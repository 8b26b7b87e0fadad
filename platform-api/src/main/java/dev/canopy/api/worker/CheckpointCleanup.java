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
 * Deletes a trained run's checkpoints once it has ended: no attempt resumes from them any more (a run keeps its
 * last two while it runs). After the commit, so that a transaction that rolls back leaves them.
 */
@ApplicationScoped
class CheckpointCleanup {

    @Inject
    ArtifactStore store;

    void onEnded(@Observes(during = TransactionPhase.AFTER_SUCCESS) TrainedRunEnded ended) {
        try {
            store.deleteAll(RunProtocol.checkpointFolder(ended.runId()));
        } catch (IOException | RuntimeException e) {
            Log.warnf("Could not delete the checkpoints of run %s: %s", ended.runId(), e.getMessage());
        }
    }
}
