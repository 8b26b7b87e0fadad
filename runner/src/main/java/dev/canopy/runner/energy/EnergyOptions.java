package dev.canopy.runner.energy;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a meter reads.
 *
 * @param poll GPU power and process RSS poll period (null: 100 ms)
 * @param cpuWatts the machine's CPU power at full load for the CPU model, overriding the TDP table (null: from
 *     the table)
 * @param ramWattsPerGb RAM power per GB (10^9 bytes) of process RSS; default 0.3725 W/GB (Green Algorithms)
 * @param nvmlLibrary an explicit path to libnvidia-ml, or null to search the usual places
 * @param powercapRoot where the powercap zones are (null: /sys/class/powercap)
 * @param counterPeriod how often a poll also reads a GPU's energy counter (null: 1 s; zero: every poll). Runs'
 *     begins and ends, live readings and slot changes always read it. One counter read cost 3.9 ms of CPU on an
 *     H200 (driver 580), against 5 µs for a power read, so reading it every 100 ms would cost 4 % of a core
 */
public record EnergyOptions(
        Duration poll,
        Double cpuWatts,
        double ramWattsPerGb,
        Path nvmlLibrary,
        Path powercapRoot,
        Duration counterPeriod) {

    /** Green Algorithms' RAM power per GB of memory. */
    public static final double GREEN_ALGORITHMS_WATTS_PER_GB = 0.3725;

    private static final Duration DEFAULT_POLL = Duration.ofMillis(100);
    private static final Path DEFAULT_POWERCAP = Path.of("/sys/class/powercap");
    private static final Duration DEFAULT_COUNTER_PERIOD = Duration.ofSeconds(1);

    public EnergyOptions {
        poll = poll == null ? DEFAULT_POLL : poll;
        powercapRoot = powercapRoot == null ? DEFAULT_POWERCAP : powercapRoot;
        counterPeriod = counterPeriod == null ? DEFAULT_COUNTER_PERIOD : counterPeriod;
        if (counterPeriod.isNegative()) {
            throw new IllegalArgumentException("counterPeriod must not be negative: " + counterPeriod);
        }
        if (poll.isNegative() || poll.isZero()) {
            throw new IllegalArgumentException("poll must be positive: " + poll);
        }
        if (cpuWatts != null && !(cpuWatts > 0)) {
            throw new IllegalArgumentException("cpuWatts must be positive: " + cpuWatts);
        }
        if (!(ramWattsPerGb >= 0)) {
            throw new IllegalArgumentException("ramWattsPerGb must not be negative: " + ramWattsPerGb);
        }
    }

    /**
     * Poll every 100 ms, CPU power from the TDP table, 0.3725 W/GB, NVML searched, /sys/class/powercap, energy
     * counters read every second.
     */
    public static EnergyOptions defaults() {
        return new EnergyOptions(
                DEFAULT_POLL, null, GREEN_ALGORITHMS_WATTS_PER_GB, null, DEFAULT_POWERCAP, DEFAULT_COUNTER_PERIOD);
    }
}
