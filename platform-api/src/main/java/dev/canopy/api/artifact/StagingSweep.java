package dev.canopy.api.artifact;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;

/**
 * Deletes staged uploads that a killed control plane left behind (kill -9, the out-of-memory killer): a minute
 * after start and every 6 hours, those untouched for a day. Control planes share the artifact store, so the
 * (clustered) job runs on one of them at a time.
 */
@ApplicationScoped
class StagingSweep {

    static final Duration ABANDONED_AFTER = Duration.ofDays(1);

    @Inject
    ArtifactStore store;

    @Scheduled(
            identity = "canopy-staging-sweep",
            every = "6h",
            delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            int deleted = store.deleteAbandonedStaging(ABANDONED_AFTER);
            if (deleted > 0) {
                Log.infof(
                        "Deleted %d staged upload(s) untouched for %s, left by a process that stopped",
                        deleted, ABANDONED_AFTER);
            }
        } catch (IOException | RuntimeException e) {
            Log.warnf("Staged uploads could not be swept: %s", e.getMessage());
        }
    }
}
