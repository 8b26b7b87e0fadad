package dev.canopy.runner.energy;

import java.time.Instant;
import java.util.List;

/**
 * A cumulative reading: everything since {@code since} up to {@code at}, over {@code seconds} of metered time
 * (monotonic clock; for a slot's idle reading, the time the slot held no run).
 */
public record EnergyReading(Instant since, Instant at, double seconds, List<ComponentEnergy> components) {

    public EnergyReading {
        components = List.copyOf(components);
    }
}
