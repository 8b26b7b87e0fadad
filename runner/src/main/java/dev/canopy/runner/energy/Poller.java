package dev.canopy.runner.energy;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The meter's daemon thread, named {@link EnergyMeter#POLL_THREAD_NAME}: runs a tick every period. */
final class Poller implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Poller.class.getName());

    private final ScheduledExecutorService executor;
    private volatile Thread thread;

    Poller(Duration period, Runnable tick) {
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread created = new Thread(task, EnergyMeter.POLL_THREAD_NAME);
            created.setDaemon(true);
            thread = created;
            return created;
        });
        long nanos = period.toNanos();
        executor.scheduleAtFixedRate(() -> tickSafely(tick), nanos, nanos, TimeUnit.NANOSECONDS);
    }

    private static void tickSafely(Runnable tick) {
        try {
            tick.run();
        } catch (RuntimeException e) {
            // A failed poll must not stop the next ones (the executor would cancel the schedule).
            LOG.log(Level.WARNING, "energy meter poll failed", e);
        }
    }

    /** The thread's id, once it exists. */
    OptionalLong threadId() {
        Thread current = thread;
        return current == null ? OptionalLong.empty() : OptionalLong.of(current.getId());
    }

    boolean running() {
        return !executor.isShutdown();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
