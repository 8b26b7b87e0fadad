package dev.canopy.runner.energy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told, monotonic and wall time together. */
final class FakeClock implements MeterClock {

    static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long nanos() {
        return nanos.get();
    }

    @Override
    public Instant now() {
        return EPOCH.plusNanos(nanos.get());
    }

    /** Moves to {@code seconds} after the start. */
    void at(double seconds) {
        nanos.set(Math.round(seconds * 1e9));
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
