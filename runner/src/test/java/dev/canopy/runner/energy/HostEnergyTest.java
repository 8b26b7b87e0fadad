package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostEnergyTest {

    private final FakeProc proc = new FakeProc();

    private HostMeter host(CpuEnergySource cpu) {
        return new HostMeter(cpu, proc, 0.3725, 100, why -> new CpuPowerModel(50, 2, "fallback: " + why));
    }

    @Test
    void theCpuModelScalesLinearlyWithMachineLoadAndChargesTheProcessShare() {
        HostMeter host = host(new CpuPowerModel(200, 2, "test"));
        proc.run(10, 0.25, 2.5);

        HostMeter.Interval interval = host.read(10);

        // 200 W x (0.1 + 0.9 x 0.25) x 10 s = 650 J; the process used 2.5 of the 5 busy CPU-seconds.
        assertThat(interval.cpuJoules()).isCloseTo(325.0, within(1e-9));
        assertThat(interval.cpuMethod()).isEqualTo(Method.MODEL);
    }

    @Test
    void theProcessShareIsCappedAtOneAndIsOneOnAnIdleMachine() {
        HostMeter host = host(new CpuPowerModel(200, 2, "test"));
        proc.run(10, 0.25, 6);
        assertThat(host.read(10).cpuJoules()).isCloseTo(650.0, within(1e-9));

        proc.run(10, 0, 0);
        assertThat(host.read(10).cpuJoules()).isCloseTo(200.0, within(1e-9));
    }

    @Test
    void anIntervalTooShortForTheJiffiesKeepsThePreviousLoad() {
        CpuPowerModel model = new CpuPowerModel(200, 2, "test");
        assertThat(model.intervalJoules(10, 1000, 2000)).isCloseTo(1100.0, within(1e-9));
        assertThat(model.intervalJoules(0.005, 0, 0)).isCloseTo(0.55, within(1e-12));
    }

    @Test
    void ramIsWattsPerGbTimesTheAverageRss() {
        proc.rssBytes = 1_000_000_000L;
        HostMeter host = host(new CpuPowerModel(200, 2, "test"));
        proc.rssBytes = 3_000_000_000L;

        // 0.3725 W/GB x 2 GB (trapezoid of 1 and 3 GB) x 10 s.
        assertThat(host.read(10).ramJoules()).isCloseTo(7.45, within(1e-12));
    }

    @Test
    void anUnknownCpuGetsFourWattsPerThread() {
        CpuPowerModel model =
                CpuPowerModel.forMachine(null, proc, CpuTdpTable.bundled(), "no RAPL: /sys/class/powercap is absent");

        assertThat(model.maxWatts()).isEqualTo(8.0);
        assertThat(model.description())
                .isEqualTo("AMD EPYC not in the TDP table: 4 W per thread x 2 threads"
                        + " (no RAPL: /sys/class/powercap is absent)");
    }

    @Test
    void aKnownCpuGetsItsTdpTimesSockets() {
        proc.model = "Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz";
        proc.sockets = 2;

        CpuPowerModel model = CpuPowerModel.forMachine(null, proc, CpuTdpTable.bundled(), "no RAPL");

        assertThat(model.maxWatts()).isEqualTo(250.0);
        assertThat(model.description())
                .isEqualTo("Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz matches \"Intel Xeon Gold 6126\" in the TDP"
                        + " table: 125 W x 2 socket(s) (no RAPL)");
    }

    @Test
    void aVirtualMachineCountsOnePackageWhateverItsSocketsAndEveryModelKnowsTheMachinesCpus() {
        proc.model = "Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz";
        // An 8-vCPU guest laid out one core per socket, as libvirt and OpenStack often do.
        proc.cpus = 8;
        proc.sockets = 8;
        proc.virtualised = true;

        CpuPowerModel model = CpuPowerModel.forMachine(null, proc, CpuTdpTable.bundled(), "no RAPL");

        assertThat(model.maxWatts()).isEqualTo(125.0);
        assertThat(model.logicalCpus()).isEqualTo(8);
        assertThat(model.description())
                .isEqualTo("Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz matches \"Intel Xeon Gold 6126\" in the TDP"
                        + " table: 125 W x 1 package (a virtual machine: its sockets are not counted) (no RAPL)");
        assertThat(CpuPowerModel.forMachine(150.0, proc, CpuTdpTable.bundled(), "no RAPL")
                        .logicalCpus())
                .isEqualTo(8);
        proc.model = "Some Unknown CPU";
        assertThat(CpuPowerModel.forMachine(null, proc, CpuTdpTable.bundled(), "no RAPL")
                        .logicalCpus())
                .isEqualTo(8);
    }

    @Test
    void configuredWattsWin() {
        proc.model = "Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz";

        assertThat(CpuPowerModel.forMachine(150.0, proc, CpuTdpTable.bundled(), "no RAPL")
                        .maxWatts())
                .isEqualTo(150.0);
    }

    @Test
    void aRaplCounterThatFailsFallsBackToTheModel() {
        HostMeter host = host(new FailingCpu());
        proc.run(10, 0.5, 10);

        HostMeter.Interval interval = host.read(10);

        // 50 W x (0.1 + 0.9 x 0.5) x 10 s, the process alone busy.
        assertThat(interval.cpuMethod()).isEqualTo(Method.MODEL);
        assertThat(interval.cpuJoules()).isCloseTo(275.0, within(1e-9));
        assertThat(interval.cpuDetail()).contains("fallback: RAPL not readable: gone");
    }

    @Test
    void metersDescribeWhatTheyUse() {
        Rig rig = new Rig();
        rig.cpu = CpuPowerModel.forMachine(
                null, rig.proc, CpuTdpTable.bundled(), "no RAPL: /sys/class/powercap is absent");
        rig.access = NvmlAccess.unavailable("NVML library not found; tried nvidia-ml (absent)");
        EnergyMeter meter = rig.meter();

        assertThat(meter.methods())
                .containsExactly(
                        java.util.Map.entry(Component.CPU, Method.MODEL),
                        java.util.Map.entry(Component.RAM, Method.MODEL));
        assertThat(meter.describe())
                .isEqualTo(List.of(
                        "GPU: none (NVML library not found; tried nvidia-ml (absent))",
                        "CPU: model, AMD EPYC not in the TDP table: 4 W per thread x 2 threads"
                                + " (no RAPL: /sys/class/powercap is absent)",
                        "RAM: model, 0.3725 W/GB (Green Algorithms default 0.3725) x process RSS in GB (10^9 bytes),"
                                + " trapezoid of RSS read every 100 ms, split equally among the meter's slots holding"
                                + " a run (among all while none does); a model, not a measurement"));
    }

    /** RAPL that works once at open and then loses its counters. */
    private static final class FailingCpu implements CpuEnergySource {
        @Override
        public Method method() {
            return Method.RAPL;
        }

        @Override
        public String description() {
            return "failing";
        }

        @Override
        public double intervalJoules(double seconds, long busyJiffies, long totalJiffies) throws IOException {
            throw new IOException("RAPL not readable: gone");
        }
    }
}
