package dev.canopy.api.carbon;

import java.time.Duration;
import java.time.Instant;

/** A stretch of time and the grid intensity that applies to it. */
public record IntensityPiece(Instant from, Instant to, Intensity intensity) {

    double seconds() {
        return Duration.between(from, to).toNanos() / 1e9;
    }
}
