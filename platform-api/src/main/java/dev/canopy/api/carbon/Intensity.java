package dev.canopy.api.carbon;

import java.time.Instant;

/**
 * A grid carbon intensity and where it came from.
 *
 * @param zone the zone it is for, in canonical form (ISO alpha-3 country, or provider:region)
 * @param source who published the figure
 * @param year the year a yearly average is for (null for traces and sources that state none)
 * @param timestamp the start of the trace point used (null for yearly averages)
 * @param method how the figure is meant (yearly average, lifecycle; location-based; hourly trace)
 * @param fallback true when the zone was unknown or undeclared and the world average stood in
 * @param note why this row was chosen, when that is not obvious
 */
public record Intensity(
        String zone,
        double gCo2ePerKwh,
        String source,
        Integer year,
        Instant timestamp,
        String method,
        boolean fallback,
        String note) {}
