package dev.canopy.runner.energy;

import java.time.Instant;

/** The meter's time: a monotonic clock for durations and the wall clock for the readings' instants. */
public interface MeterClock {

    /** Monotonic nanoseconds (only differences mean anything). */
    long nanos();

    /** The wall-clock instant now. */
    Instant now();

    /** {@link System#nanoTime()} and {@link Instant#now()}. */
    static MeterClock system() {
        return new MeterClock() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public Instant now() {
                return Instant.now();
            }
        };
    }
}
