package dev.canopy.runner.energy;

import com.sun.management.OperatingSystemMXBean;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link ProcReader} over /proc. Where /proc is missing it degrades instead of failing: machine CPU times read
 * as zero (so the process gets the whole machine's share), RSS falls back to the JVM's committed heap and
 * non-heap memory, and the CPU count to the JVM's.
 */
public final class LinuxProcReader implements ProcReader {

    private static final int LINE_BYTES = 512;
    private static final int STATUS_BYTES = 4096;

    private final Path proc;
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final List<String> cpuinfo;

    /** Reads /proc. */
    public LinuxProcReader() {
        this(Path.of("/proc"));
    }

    LinuxProcReader(Path proc) {
        this.proc = proc;
        this.cpuinfo = readLines(proc.resolve("cpuinfo"));
    }

    @Override
    public CpuTimes machineCpu() {
        try {
            return parseStat(firstLine(proc.resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return new CpuTimes(0, 0);
        }
    }

    /** The first line, read with one small read: polls must stay cheap, and /proc/stat grows with the CPUs. */
    private static String firstLine(Path file) throws IOException {
        String text = head(file, LINE_BYTES);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /** Up to {@code bytes} of the file's start, in one read. */
    private static String head(Path file, int bytes) throws IOException {
        byte[] buffer = new byte[bytes];
        int length;
        try (InputStream in = new FileInputStream(file.toFile())) {
            length = Math.max(0, in.read(buffer));
        }
        return new String(buffer, 0, length, StandardCharsets.US_ASCII);
    }

    /** user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user/nice. */
    static CpuTimes parseStat(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < fields.length; i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
        return new CpuTimes(total - idle, total);
    }

    @Override
    public long processCpuNanos() {
        return Math.max(0, os.getProcessCpuTime());
    }

    @Override
    public long processRssBytes() {
        try {
            // VmRSS is in kB whatever the page size (statm counts pages: 64 KiB on some arm64 kernels, not 4 KiB). One
            // read, as for /proc/stat: the status file is about 1.5 KB, VmRSS in its first half.
            String status = head(proc.resolve("self/status"), STATUS_BYTES);
            int at = status.indexOf("\nVmRSS:");
            if (at < 0) {
                throw new IllegalStateException("no VmRSS line");
            }
            int end = status.indexOf('\n', at + 1);
            String line = status.substring(at + "\nVmRSS:".length(), end < 0 ? status.length() : end);
            return Long.parseLong(line.trim().split("\\s+")[0]) * 1024;
        } catch (IOException | RuntimeException e) {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            return memory.getHeapMemoryUsage().getCommitted()
                    + memory.getNonHeapMemoryUsage().getCommitted();
        }
    }

    @Override
    public int logicalCpus() {
        long processors =
                cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
        return processors > 0 ? (int) processors : Runtime.getRuntime().availableProcessors();
    }

    @Override
    public String cpuModel() {
        return cpuinfo.stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown CPU (" + System.getProperty("os.arch") + ")");
    }

    @Override
    public int sockets() {
        long ids = cpuinfo.stream()
                .filter(l -> l.startsWith("physical id"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .distinct()
                .count();
        return (int) Math.max(1, ids);
    }

    @Override
    public boolean virtualised() {
        return cpuinfo.stream()
                .filter(l -> l.startsWith("flags"))
                .findFirst()
                .map(l -> List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                        .contains("hypervisor"))
                .orElse(false);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
