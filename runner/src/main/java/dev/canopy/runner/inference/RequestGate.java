package dev.canopy.runner.inference;

import java.time.Duration;

/**
 * Admits requests until closed and lets the closer wait for the admitted ones to leave. Thread-safe.
 */
final class RequestGate {

    private int inside;
    private boolean closed;

    /**
     * Admits one request; pair it with {@link #leave()} in a finally block.
     *
     * @throws IllegalStateException once the gate is closed
     */
    synchronized void enter() {
        if (closed) {
            throw new IllegalStateException("the model is closed");
        }
        inside++;
    }

    synchronized void leave() {
        inside--;
        if (inside == 0) {
            notifyAll();
        }
    }

    /** Requests admitted and not yet left. */
    synchronized int inside() {
        return inside;
    }

    /** Refuses requests from now on; false when the gate was already closed. */
    synchronized boolean close() {
        boolean wasOpen = !closed;
        closed = true;
        return wasOpen;
    }

    /** Waits until no admitted request is left or {@code timeout} has passed; true when none is left. */
    synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inside > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(left / 1_000_000, (int) (left % 1_000_000));
        }
        return true;
    }
}
