package dev.canopy.runner.energy;

/** How an energy figure was obtained, from the most direct reading to none at all. */
public enum Method {
    /** A hardware energy counter read at the interval's edges (NVML total energy). */
    COUNTER("counter"),
    /** Sampled power integrated over time (NVML power usage). */
    POWER_INTEGRAL("power-integral"),
    /** Linux RAPL package energy counters through powercap. */
    RAPL("rapl"),
    /** An estimate from constants and utilisation, not a measurement. */
    MODEL("model"),
    /** Nothing could be read; the energy is unknown, never zero. */
    UNMEASURED("unmeasured");

    private final String label;

    Method(String label) {
        this.label = label;
    }

    /** The lowercase name used in records, logs and the API ("power-integral"). */
    public String label() {
        return label;
    }
}
