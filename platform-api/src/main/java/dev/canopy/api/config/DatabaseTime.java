package dev.canopy.api.config;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The current instant at PostgreSQL's precision (microseconds), so that a time returned when something is
 * created is the same time read back later.
 */
public final class DatabaseTime {

    private DatabaseTime() {}

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
