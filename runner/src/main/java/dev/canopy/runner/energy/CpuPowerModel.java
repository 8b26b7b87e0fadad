package dev.canopy.runner.energy;

import java.util.Locale;

/**
 * The CPU energy model for machines without readable RAPL: machine CPU power P = W_max × (0.1 + 0.9 × L), with
 * L the machine's CPU load over the interval (busy jiffies / total jiffies from /proc/stat). The curve is
 * linear on purpose: an interval's energy then depends only on its average load, so reading at the interval's
 * edges is exact for the model (CodeCarbon uses 0.1 + 0.9 × load³ on instantaneous samples). An interval too
 * short for the jiffy counters to move keeps the previous interval's load.
 *
 * <p>W_max is, in order: the configured {@code cpuWatts}; the TDP of the matching {@link CpuTdpTable} entry ×
 * sockets; or 4 W per logical CPU (CodeCarbon's {@code DEFAULT_POWER_PER_CORE}).
 */
public final class CpuPowerModel implements CpuEnergySource {

    /** CodeCarbon's power per thread when the CPU model is unknown. */
    static final double WATTS_PER_THREAD = 4.0;

    private final double maxWatts;
    private final int logicalCpus;
    private final String description;
    private double load;

    /**
     * @param maxWatts the machine's CPU power at full load
     * @param logicalCpus the machine's logical CPUs that {@code maxWatts} powers
     * @param description where {@code maxWatts} comes from
     */
    public CpuPowerModel(double maxWatts, int logicalCpus, String description) {
        this.maxWatts = maxWatts;
        this.logicalCpus = Math.max(1, logicalCpus);
        this.description = description;
    }

    /**
     * The model for the machine this process runs on: {@code cpuWatts} when given, else the TDP table's entry for
     * its CPU, else 4 W per logical CPU; {@code why} says why a model is used, for the description.
     */
    public static CpuPowerModel forThisMachine(Double cpuWatts, String why) {
        return forMachine(cpuWatts, new LinuxProcReader(), CpuTdpTable.bundled(), why);
    }

    /** The model for this machine; {@code noRaplReason} says why RAPL is not used. */
    static CpuPowerModel forMachine(Double cpuWatts, ProcReader proc, CpuTdpTable table, String noRaplReason) {
        String model = proc.cpuModel();
        if (cpuWatts != null) {
            return new CpuPowerModel(
                    cpuWatts,
                    proc.logicalCpus(),
                    "configured " + watts(cpuWatts) + " at full load (" + noRaplReason + ")");
        }
        // A virtual machine's sockets are the hypervisor's layout (often one vCPU each), not packages: one package
        // is counted, which still overstates a VM given part of one (the README says to set cpuWatts then).
        boolean virtual = proc.virtualised();
        int packages = virtual ? 1 : proc.sockets();
        return table.match(model)
                .map(e -> new CpuPowerModel(
                        e.watts() * packages,
                        proc.logicalCpus(),
                        String.format(
                                Locale.ROOT,
                                "%s matches \"%s\" in the TDP table: %s x %d %s (%s)",
                                model,
                                e.name(),
                                watts(e.watts()),
                                packages,
                                virtual ? "package (a virtual machine: its sockets are not counted)" : "socket(s)",
                                noRaplReason)))
                .orElseGet(() -> new CpuPowerModel(
                        WATTS_PER_THREAD * proc.logicalCpus(),
                        proc.logicalCpus(),
                        String.format(
                                Locale.ROOT,
                                "%s not in the TDP table: %s per thread x %d threads (%s)",
                                model,
                                watts(WATTS_PER_THREAD),
                                proc.logicalCpus(),
                                noRaplReason)));
    }

    static String watts(double watts) {
        return (watts == Math.rint(watts) ? String.valueOf((long) watts) : String.valueOf(watts)) + " W";
    }

    /** W_max: the machine's CPU power at full load. */
    public double maxWatts() {
        return maxWatts;
    }

    /**
     * The machine's logical CPUs as {@code /proc/cpuinfo} lists them, which {@link #maxWatts} powers: in a container
     * limited to fewer CPUs, still the machine's.
     */
    public int logicalCpus() {
        return logicalCpus;
    }

    @Override
    public Method method() {
        return Method.MODEL;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public double intervalJoules(double seconds, long busyJiffies, long totalJiffies) {
        if (totalJiffies > 0) {
            load = Math.min(1.0, Math.max(0.0, (double) busyJiffies / totalJiffies));
        }
        return maxWatts * (0.1 + 0.9 * load) * seconds;
    }
}
