package dev.canopy.scheduler.queue;

import dev.canopy.scheduler.signal.DatabaseSignals;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;

/**
 * Wakes waiting claims when a run is queued, from the NOTIFY on the queue's channel. NOTIFY is only a hint (it is
 * lost while nobody listens), so waiting claims also retry on a timer.
 */
@ApplicationScoped
public class QueueSignals implements DatabaseSignals.Subscriber {

    @Inject
    DatabaseSignals signals;

    private volatile CompletableFuture<Void> next = new CompletableFuture<>();

    /** Completes at the next notification. */
    public CompletableFuture<Void> next() {
        return next;
    }

    void start(@Observes StartupEvent event) {
        signals.subscribe(QueueDatabase.CHANNEL, this);
    }

    @Override
    public void notified() {
        CompletableFuture<Void> current = next;
        next = new CompletableFuture<>();
        current.complete(null);
    }

    @Override
    public void listening(boolean listening) {
        // Claims poll anyway; nothing to undo.
    }
}
