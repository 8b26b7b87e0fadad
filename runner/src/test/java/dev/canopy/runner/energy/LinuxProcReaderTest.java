package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxProcReaderTest {

    @TempDir
    Path proc;

    @Test
    void busyIsTotalLessIdleAndIowaitAndGuestTimeIsNotCountedTwice() {
        assertThat(LinuxProcReader.parseStat("cpu  100 5 50 1000 20 3 2 7 11 4"))
                .isEqualTo(new ProcReader.CpuTimes(167, 1187));
    }

    @Test
    void readsStatStatmAndCpuinfo() throws IOException {
        Files.writeString(proc.resolve("stat"), "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\n");
        Files.createDirectories(proc.resolve("self"));
        // VmRSS is in kB, whatever the kernel's page size (4 KiB, or 64 KiB on some arm64 kernels).
        Files.writeString(proc.resolve("self/status"), "Name:\tjava\nVmPeak:\t 2000 kB\nVmRSS:\t 16000 kB\n");
        Files.writeString(
                proc.resolve("cpuinfo"),
                """
                processor\t: 0
                model name\t: Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz
                physical id\t: 0

                processor\t: 1
                model name\t: Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz
                physical id\t: 1
                """);
        LinuxProcReader reader = new LinuxProcReader(proc);

        assertThat(reader.machineCpu()).isEqualTo(new ProcReader.CpuTimes(20, 100));
        assertThat(reader.processRssBytes()).isEqualTo(16_384_000);
        assertThat(reader.logicalCpus()).isEqualTo(2);
        assertThat(reader.cpuModel()).isEqualTo("Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz");
        assertThat(reader.sockets()).isEqualTo(2);
        assertThat(reader.virtualised()).isFalse();

        Files.writeString(
                proc.resolve("cpuinfo"),
                """
                processor\t: 0
                model name\t: Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz
                physical id\t: 0
                flags\t\t: fpu vme sse2 ssse3 hypervisor lahf_lm
                """);
        assertThat(new LinuxProcReader(proc).virtualised()).isTrue();
    }

    @Test
    void withoutProcItFallsBackInsteadOfFailing() {
        LinuxProcReader reader = new LinuxProcReader(proc.resolve("absent"));

        assertThat(reader.machineCpu()).isEqualTo(new ProcReader.CpuTimes(0, 0));
        assertThat(reader.processRssBytes()).isPositive();
        assertThat(reader.logicalCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(reader.sockets()).isEqualTo(1);
    }
}
