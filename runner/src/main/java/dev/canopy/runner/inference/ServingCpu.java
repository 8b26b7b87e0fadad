package dev.canopy.runner.inference;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The CPU time a served model spends on predictions, summed over whichever threads did the work: take a {@link
 * #mark()} on a thread before the work and {@link #addSince} on the same thread after it.
 *
 * <p>Counts the JVM thread's own CPU time only: work the engine hands to its native intra-op threads (large
 * matrices) is not seen. Reads 0 where the JVM cannot measure thread CPU time. Thread-safe.
 */
final class ServingCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LongAdder nanos = new LongAdder();

    /** The current thread's CPU time so far, in nanoseconds; 0 when it cannot be measured. */
    long mark() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? Math.max(0, THREADS.getCurrentThreadCpuTime()) : 0;
    }

    /** Adds the current thread's CPU time since {@code mark}. */
    void addSince(long mark) {
        nanos.add(Math.max(0, mark() - mark));
    }

    /** All CPU time added so far, in nanoseconds. */
    long total() {
        return nanos.sum();
    }
}
