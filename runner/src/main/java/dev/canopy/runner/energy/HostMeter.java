package dev.canopy.runner.energy;

import java.io.IOException;
import java.util.Locale;
import java.util.function.Function;

/**
 * This process's CPU and RAM energy, interval by interval (an interval runs between two of the meter's reads).
 *
 * <p>CPU: the machine's CPU energy of the interval (RAPL, else {@link CpuPowerModel}) × the process's share s =
 * min(1, process CPU time Δ / machine busy CPU time Δ), with s = 1 when the machine was not busy at all (nothing
 * else ran). A RAPL counter that stops being readable falls back to the model from that interval on.
 *
 * <p>RAM: ramWattsPerGb × the process's RSS in GB (10^9 bytes, as Green Algorithms counts memory) averaged over
 * the interval by the trapezoid rule × the interval's length.
 */
final class HostMeter {

    /** The process's energy over one interval, and how each part was obtained. */
    record Interval(Method cpuMethod, String cpuDetail, double cpuJoules, String ramDetail, double ramJoules) {}

    private final ProcReader proc;
    private final double ramWattsPerGb;
    private final long pollMillis;
    private final Function<String, CpuEnergySource> fallback;
    private CpuEnergySource cpu;
    private String cpuDetail;
    private final String ramDetail;
    private ProcReader.CpuTimes lastMachine;
    private long lastProcessNanos;
    private long lastRss;

    /** {@code fallback} makes the CPU model, given why RAPL failed. */
    HostMeter(
            CpuEnergySource cpu,
            ProcReader proc,
            double ramWattsPerGb,
            long pollMillis,
            Function<String, CpuEnergySource> fallback) {
        this.cpu = cpu;
        this.proc = proc;
        this.ramWattsPerGb = ramWattsPerGb;
        this.pollMillis = pollMillis;
        this.fallback = fallback;
        this.cpuDetail = describeCpu();
        this.ramDetail = describeRam();
        this.lastMachine = proc.machineCpu();
        this.lastProcessNanos = proc.processCpuNanos();
        this.lastRss = proc.processRssBytes();
    }

    CpuEnergySource cpu() {
        return cpu;
    }

    /** Reads the interval since the previous read, {@code seconds} long. */
    Interval read(double seconds) {
        ProcReader.CpuTimes machine = proc.machineCpu();
        long processNanos = proc.processCpuNanos();
        long rss = proc.processRssBytes();
        long busy = machine.busyJiffies() - lastMachine.busyJiffies();
        long total = machine.totalJiffies() - lastMachine.totalJiffies();
        double machineJoules = machineJoules(seconds, busy, total);
        double share = busy <= 0
                ? 1.0
                : Math.min(1.0, (processNanos - lastProcessNanos) / 1e9 / ((double) busy / ProcReader.USER_HZ));
        double ramJoules = ramWattsPerGb * (lastRss + rss) / 2 / 1e9 * seconds;
        lastMachine = machine;
        lastProcessNanos = processNanos;
        lastRss = rss;
        return new Interval(cpu.method(), cpuDetail(), machineJoules * share, ramDetail(), ramJoules);
    }

    private double machineJoules(double seconds, long busy, long total) {
        try {
            return cpu.intervalJoules(seconds, busy, total);
        } catch (IOException e) {
            cpu = fallback.apply(e.getMessage());
            cpuDetail = describeCpu();
            try {
                return cpu.intervalJoules(seconds, busy, total);
            } catch (IOException impossible) {
                throw new IllegalStateException("the CPU model reads no counter", impossible);
            }
        }
    }

    /** How the CPU figures are obtained, for the readings' details. */
    String cpuDetail() {
        return cpuDetail;
    }

    /** How the RAM figures are obtained, for the readings' details. */
    String ramDetail() {
        return ramDetail;
    }

    // Details are built once: a poll must stay cheap (goal: under 1 % of a core at 100 ms).
    private String describeCpu() {
        String share = "x this process's share of machine CPU time (process CPU time / machine busy CPU time),"
                + " split equally among the meter's slots holding a run (among all while none does)";
        if (cpu instanceof CpuPowerModel model) {
            return String.format(
                    Locale.ROOT,
                    "P = %s x (0.1 + 0.9 x machine CPU load from /proc/stat), %s; %s; a model, not a measurement:"
                            + " uncertain by ±40 %% or more",
                    CpuPowerModel.watts(model.maxWatts()),
                    model.description(),
                    share);
        }
        return "RAPL " + cpu.description() + " " + share;
    }

    private String describeRam() {
        return String.format(
                Locale.ROOT,
                "%s W/GB (Green Algorithms default 0.3725) x process RSS in GB (10^9 bytes), trapezoid of RSS read"
                        + " every %d ms, split equally among the meter's slots holding a run (among all while none"
                        + " does); a model, not a measurement",
                ramWattsPerGb,
                pollMillis);
    }
}
