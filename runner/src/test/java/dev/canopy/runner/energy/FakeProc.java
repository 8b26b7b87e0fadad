package dev.canopy.runner.energy;

/** Machine and process figures the test sets; cumulative ones only ever grow. */
final class FakeProc implements ProcReader {

    long busyJiffies;
    long totalJiffies;
    long processNanos;
    long rssBytes;
    int cpus = 2;
    String model = "AMD EPYC";
    int sockets = 1;
    boolean virtualised;

    /** Lets {@code seconds} pass on all CPUs with the machine busy {@code load} and this process using {@code own} CPU-seconds. */
    FakeProc run(double seconds, double load, double own) {
        long total = Math.round(seconds * cpus * USER_HZ);
        totalJiffies += total;
        busyJiffies += Math.round(total * load);
        processNanos += Math.round(own * 1e9);
        return this;
    }

    @Override
    public CpuTimes machineCpu() {
        return new CpuTimes(busyJiffies, totalJiffies);
    }

    @Override
    public long processCpuNanos() {
        return processNanos;
    }

    @Override
    public long processRssBytes() {
        return rssBytes;
    }

    @Override
    public int logicalCpus() {
        return cpus;
    }

    @Override
    public String cpuModel() {
        return model;
    }

    @Override
    public int sockets() {
        return sockets;
    }

    @Override
    public boolean virtualised() {
        return virtualised;
    }
}
