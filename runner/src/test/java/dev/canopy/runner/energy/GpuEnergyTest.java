package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuEnergyTest {

    private final Rig rig = new Rig();

    @Test
    void chargesTheRunTheCounterDeltaBetweenBeginAndEnd() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(700);
        gpu.counterMillijoules = 1_000_000;
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        rig.tickUntil(meter, 1.0, () -> gpu.consume(10));
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 2.0, () -> gpu.consume(70));

        EnergyReading reading = run.end();

        assertThat(reading.components())
                .contains(new ComponentEnergy(
                        Component.GPU,
                        0,
                        "NVIDIA H100 80GB HBM3",
                        Method.COUNTER,
                        700.0,
                        "NVML total-energy counter (mJ) read at begin, end and every 1000 ms"));
        assertThat(reading.seconds()).isEqualTo(1.0);
        assertThat(Rig.gpu(slot.idle(), 0)).extracting(ComponentEnergy::joules).containsExactly(100.0);
    }

    @Test
    void pollsReadTheCounterOncePerCounterPeriodAndBeginAndEndReadItExactly() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(700);
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        int atStart = gpu.counterReads;

        rig.tickUntil(meter, 3.0, () -> gpu.consume(70));
        assertThat(gpu.counterReads - atStart)
                .as("30 polls, one counter read a second")
                .isEqualTo(3);

        rig.clock.advance(Duration.ofMillis(50));
        gpu.consume(35);
        RunEnergy run = slot.begin("run-1", 1);
        rig.clock.advance(Duration.ofMillis(250));
        gpu.consume(175);
        meter.tick();
        rig.clock.advance(Duration.ofMillis(250));
        gpu.consume(175);
        EnergyReading reading = run.end();

        assertThat(gpu.counterReads - atStart)
                .as("plus one at begin and one at end")
                .isEqualTo(5);
        assertThat(Rig.only(reading, Component.GPU).joules()).isEqualTo(350.0);
        assertThat(Rig.gpu(slot.idle(), 0)).extracting(ComponentEnergy::joules).containsExactly(2135.0);
    }

    @Test
    void integratesPowerShiftedByHalfASecondWhenThereIsNoCounter() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(100);
        gpu.counterFailure = new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported");
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = stepTrace(meter, slot, gpu);

        ComponentEnergy energy = Rig.only(run.end(), Component.GPU);

        // The run is [1.5 s, 3.0 s]; shifted by 0.5 s it is [2.0, 3.5] on the sample curve, all at 300 W.
        assertThat(energy.method()).isEqualTo(Method.POWER_INTEGRAL);
        assertThat(energy.joules()).isCloseTo(450.0, within(1e-9));
        assertThat(energy.detail())
                .isEqualTo("NVML power sampled every 100 ms, trapezoid rule, samples shifted by -0.5 s (the reading"
                        + " is a 1-s average on this architecture); ±5 % of reading (NVML), more under bursty load;"
                        + " no energy counter: Not Supported (NVML 3); no sample after the end yet: the last 0.50 s"
                        + " held the final sample");
        // Idle [0, 1.5] is [0.5, 2.0] on the curve: 1.4 s at 100 W and the 0.1 s ramp to 300 W.
        assertThat(Rig.only(slot.idle(), Component.GPU).joules()).isCloseTo(160.0, within(1e-9));
    }

    @Test
    void doesNotShiftPowerBeforeAmpere() {
        FakeNvml.Device gpu = rig.nvml.add("Tesla V100-SXM2-16GB", "GPU-aaaa").watts(100);
        gpu.architecture = 5;
        gpu.counterFailure = new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported");
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = stepTrace(meter, slot, gpu);

        // [1.5, 3.0]: 0.4 s at 100 W, the ramp (0.1 s averaging 200 W), 1.0 s at 300 W.
        assertThat(Rig.only(run.end(), Component.GPU).joules()).isCloseTo(360.0, within(1e-9));
    }

    /** 100 W until 1.9 s, 300 W from 2.0 s; the run is [1.5 s, 3.0 s]. */
    private RunEnergy stepTrace(EnergyMeter meter, Slot slot, FakeNvml.Device gpu) {
        rig.tickUntil(meter, 1.5, () -> {});
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 3.0, () -> gpu.watts(rig.clock.nanos() >= 2_000_000_000L ? 300 : 100));
        return run;
    }

    @Test
    void aCounterThatFailsMidRunLeavesTheRestToPowerIntegration() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(200);
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 1.0, () -> gpu.consume(20));
        gpu.counterFailure = new NvmlException(NvmlException.GPU_IS_LOST, "GPU is lost");
        rig.tickUntil(meter, 2.0, () -> {});

        List<ComponentEnergy> energy = Rig.gpu(run.end(), 0);

        assertThat(energy).extracting(ComponentEnergy::method).containsExactly(Method.COUNTER, Method.POWER_INTEGRAL);
        assertThat(energy.get(0).joules()).isEqualTo(200.0);
        // From the counter's last move at 1.0 s: [1.5, 2.5] on the curve at 200 W.
        assertThat(energy.get(1).joules()).isCloseTo(200.0, within(1e-9));
        assertThat(energy.get(1).detail())
                .contains("switched from the counter: energy counter failed: GPU is lost (NVML 15)");
        assertThat(meter.methods()).containsEntry(Component.GPU, Method.POWER_INTEGRAL);
    }

    @Test
    void aCounterStandingStillOnABusyGpuIsReplacedByPowerIntegration() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(300);
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 1.0, () -> gpu.consume(30));
        rig.tickUntil(meter, 3.0, () -> {});

        List<ComponentEnergy> energy = Rig.gpu(run.end(), 0);

        assertThat(energy).extracting(ComponentEnergy::method).containsExactly(Method.COUNTER, Method.POWER_INTEGRAL);
        assertThat(energy.get(0).joules()).isEqualTo(300.0);
        // From the counter's last move at 1.0 s to the end at 3.0 s, at 300 W: never 0 J.
        assertThat(energy.get(1).joules()).isCloseTo(600.0, within(1e-9));
        assertThat(energy.get(1).detail())
                .contains("energy counter stood at 300000 mJ for 1.0 s while the GPU drew 300.0 W");
    }

    @Test
    void aCounterStandingStillOnAnIdleGpuIsKept() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(4);
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 3.0, () -> {});

        assertThat(Rig.gpu(run.end(), 0))
                .extracting(ComponentEnergy::method, ComponentEnergy::joules)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Method.COUNTER, 0.0));
    }

    @Test
    void gpusWithoutNvmlAreUnmeasuredWithTheReasonNeverZero() {
        rig.access = NvmlAccess.unavailable("NVML library not found; tried nvidia-ml (absent)");
        rig.env.put("CUDA_VISIBLE_DEVICES", "0");
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 1.0, () -> {});

        ComponentEnergy energy = Rig.only(run.end(), Component.GPU);

        assertThat(energy)
                .isEqualTo(new ComponentEnergy(
                        Component.GPU,
                        0,
                        "CUDA device 0",
                        Method.UNMEASURED,
                        null,
                        "NVML library not found; tried nvidia-ml (absent); 1.0 s of 1.0 s could not be read"));
        assertThat(meter.methods()).containsEntry(Component.GPU, Method.UNMEASURED);
    }

    @Test
    void powerThatFailsTooLeavesTheRestUnmeasured() {
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(100);
        gpu.architecture = 5;
        gpu.counterFailure = new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported");
        EnergyMeter meter = rig.meter();
        Slot slot = meter.slot("w0", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        rig.tickUntil(meter, 1.0, () -> {});
        gpu.powerFailure = new NvmlException(NvmlException.UNKNOWN, "Unknown Error");
        rig.tickUntil(meter, 4.0, () -> {});

        List<ComponentEnergy> energy = Rig.gpu(run.end(), 0);

        assertThat(energy)
                .extracting(ComponentEnergy::method)
                .containsExactly(Method.POWER_INTEGRAL, Method.UNMEASURED);
        assertThat(energy.get(0).joules()).isCloseTo(100.0, within(1e-9));
        assertThat(energy.get(1).joules()).isNull();
        assertThat(energy.get(1).detail())
                .isEqualTo("power reading failed: Unknown Error (NVML 999); 3.0 s of 4.0 s could not be read");
    }

    @Test
    void describesEachGpuByTheMethodItIsReadWith() {
        rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(100);
        rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-bbbb").counterFailure =
                new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported");
        EnergyMeter meter = rig.meter();
        meter.slot("w0", List.of(0));

        assertThat(meter.methods())
                .containsExactly(
                        java.util.Map.entry(Component.GPU, Method.POWER_INTEGRAL),
                        java.util.Map.entry(Component.CPU, Method.MODEL),
                        java.util.Map.entry(Component.RAM, Method.MODEL));
        assertThat(meter.describe().subList(0, 3))
                .containsExactly(
                        "GPU 0 (NVIDIA H100 80GB HBM3): counter, NVML total-energy counter (mJ) read at begin, end and"
                                + " every 1000 ms",
                        "GPU 1 (NVIDIA H100 80GB HBM3): power-integral, not owned by a slot: not read",
                        "CPU: model, test CPU at 100 W");
    }
}
