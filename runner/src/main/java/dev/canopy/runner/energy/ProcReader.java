package dev.canopy.runner.energy;

/** What the meter reads about the machine's and this process's CPU and memory. */
public interface ProcReader {

    /** Clock ticks per second of {@code /proc/stat} ({@code USER_HZ}, 100 on every Linux the runner targets). */
    int USER_HZ = 100;

    /** Cumulative machine CPU time in jiffies over all CPUs: busy = total − idle − iowait. */
    record CpuTimes(long busyJiffies, long totalJiffies) {}

    /** Machine CPU times since boot (the first "cpu" line of /proc/stat). */
    CpuTimes machineCpu();

    /** CPU time this process has used, in nanoseconds, all threads. */
    long processCpuNanos();

    /** This process's resident memory in bytes. */
    long processRssBytes();

    /** Logical CPUs of the machine (hardware threads). */
    int logicalCpus();

    /** The CPU model name, e.g. "Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz". */
    String cpuModel();

    /** CPU sockets (distinct physical ids), at least 1. */
    int sockets();

    /** Whether the machine is a virtual machine (the CPU flags include {@code hypervisor}). */
    boolean virtualised();
}
