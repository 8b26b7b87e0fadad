package dev.canopy.runner.energy;

import java.io.IOException;

/** The machine's CPU energy, interval by interval: RAPL counters where readable, else a model. */
public interface CpuEnergySource {

    /** {@link Method#RAPL} or {@link Method#MODEL}. */
    Method method();

    /** Where the figures come from, for logs and details, e.g. "AMD EPYC not in the TDP table: 4 W per …". */
    String description();

    /**
     * The machine's CPU energy in joules over the interval since the previous call (the first call: since the
     * source was made). The interval is {@code seconds} long and the machine's CPUs were busy for {@code
     * busyJiffies} of {@code totalJiffies} in it. Called in time order.
     *
     * @throws IOException when a counter cannot be read any more; the meter then falls back to the model
     */
    double intervalJoules(double seconds, long busyJiffies, long totalJiffies) throws IOException;

    /** RAPL package zones under {@code options.powercapRoot()} if readable, else the CPU model saying why. */
    static CpuEnergySource detect(EnergyOptions options, ProcReader proc) {
        try {
            return RaplReader.open(options.powercapRoot());
        } catch (IOException e) {
            return CpuPowerModel.forMachine(options.cpuWatts(), proc, CpuTdpTable.bundled(), e.getMessage());
        }
    }
}
