package dev.canopy.runner.worker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Epoch reports sent one after another on a thread of their own, so that training goes on during their round trips,
 * with at most {@code limit} waiting: adding one more waits for the oldest. Each report holds its checkpoint, so a
 * control plane slower than the epochs holds training up rather than letting checkpoints fill the heap.
 */
final class ReportChain implements AutoCloseable {

    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "canopy-runner-reports");
        thread.setDaemon(true);
        return thread;
    });
    private final int limit;
    /** Reports not known to be sent, oldest first; used by the training thread only. */
    private final Deque<CompletableFuture<Void>> pending = new ArrayDeque<>();

    ReportChain(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
    }

    /** Queues {@code report} after the others; first waits for the oldest while {@code limit} are waiting. */
    void add(Runnable report) {
        while (!pending.isEmpty() && pending.peekFirst().isDone()) {
            pending.pollFirst();
        }
        while (pending.size() >= limit) {
            pending.pollFirst().join();
        }
        CompletableFuture<Void> last = pending.isEmpty() ? CompletableFuture.completedFuture(null) : pending.peekLast();
        pending.addLast(last.thenRunAsync(report, sender));
    }

    /** Waits until every report added so far is sent. */
    void flush() {
        if (!pending.isEmpty()) {
            pending.peekLast().join();
        }
        pending.clear();
    }

    /** Ends the sending thread once the reports added so far are sent. */
    @Override
    public void close() {
        sender.shutdown();
    }
}
