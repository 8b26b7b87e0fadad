package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VisibleGpusTest {

    private final FakeNvml nvml = new FakeNvml();

    @BeforeEach
    void threeGpus() {
        nvml.add("NVIDIA A100-SXM4-80GB", "GPU-aaaa1111-0000-0000-0000-000000000000");
        nvml.add("NVIDIA H100 80GB HBM3", "GPU-bbbb2222-0000-0000-0000-000000000000");
        nvml.add("NVIDIA H100 80GB HBM3", "GPU-bbbb3333-0000-0000-0000-000000000000");
    }

    private List<VisibleGpu> visible(String cudaVisibleDevices) {
        Map<String, String> env = new HashMap<>();
        if (cudaVisibleDevices != null) {
            env.put("CUDA_VISIBLE_DEVICES", cudaVisibleDevices);
        }
        return VisibleGpus.discover(NvmlAccess.of(nvml), env);
    }

    private List<Integer> nvmlIndices(String cudaVisibleDevices) {
        return visible(cudaVisibleDevices).stream()
                .map(g -> g.device().nvmlIndex())
                .toList();
    }

    @Test
    void unsetMeansEveryDeviceInNvmlOrder() {
        assertThat(visible(null))
                .extracting(VisibleGpu::device)
                .containsExactly(
                        new GpuDevice(
                                0,
                                0,
                                "NVIDIA A100-SXM4-80GB",
                                "GPU-aaaa1111-0000-0000-0000-000000000000",
                                80_000_000_000L,
                                true),
                        new GpuDevice(
                                1,
                                1,
                                "NVIDIA H100 80GB HBM3",
                                "GPU-bbbb2222-0000-0000-0000-000000000000",
                                80_000_000_000L,
                                true),
                        new GpuDevice(
                                2,
                                2,
                                "NVIDIA H100 80GB HBM3",
                                "GPU-bbbb3333-0000-0000-0000-000000000000",
                                80_000_000_000L,
                                true));
    }

    @Test
    void integersAreNvmlIndicesInTheGivenOrder() {
        assertThat(visible("2, 0")).extracting(g -> g.device().cudaIndex()).containsExactly(0, 1);
        assertThat(nvmlIndices("2, 0")).containsExactly(2, 0);
    }

    @Test
    void uuidPrefixesNameTheOneDeviceTheyMatch() {
        assertThat(nvmlIndices("GPU-bbbb3,GPU-aaaa")).containsExactly(2, 0);
        assertThat(nvmlIndices("GPU-bbbb")).isEmpty();
    }

    @Test
    void theListEndsAtTheFirstEntryThatNamesNoDevice() {
        assertThat(nvmlIndices("1,7,0")).containsExactly(1);
        assertThat(nvmlIndices("1,1")).containsExactly(1);
        assertThat(nvmlIndices("")).isEmpty();
        assertThat(nvmlIndices("-1")).isEmpty();
        assertThat(nvmlIndices("0,-1,2")).containsExactly(0);
    }

    @Test
    void migInstancesAreVisibleButUnmeasured() {
        List<VisibleGpu> gpus = visible("MIG-4d3c2b1a-0000-0000-0000-000000000000");

        assertThat(gpus).hasSize(1);
        assertThat(gpus.get(0).device().nvmlIndex()).isNull();
        assertThat(gpus.get(0).unmeasuredReason()).isEqualTo("a MIG instance: NVML gives no per-MIG-instance energy");
    }

    @Test
    void aMigInstanceHeldByARunIsUnmeasured() {
        Rig rig = new Rig();
        rig.nvml.add("NVIDIA A100-SXM4-80GB", "GPU-aaaa");
        rig.env.put("CUDA_VISIBLE_DEVICES", "MIG-4d3c2b1a");
        EnergyMeter meter = rig.meter();
        RunEnergy run = meter.slot("w0", List.of(0)).begin("run-1", 1);
        rig.tickUntil(meter, 0.5, () -> {});

        ComponentEnergy energy = Rig.only(run.end(), Component.GPU);

        assertThat(energy.joules()).isNull();
        assertThat(energy.detail())
                .isEqualTo("a MIG instance: NVML gives no per-MIG-instance energy; 0.5 s of 0.5 s could not be read");
    }

    @Test
    void aDeviceWithoutACounterIsMarked() {
        nvml.device(0).counterFailure = new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported");

        assertThat(visible("0").get(0).device().energyCounter()).isFalse();
        assertThat(visible("0").get(0).counterProblem()).isEqualTo("Not Supported (NVML 3)");
    }

    @Test
    void withoutNvmlTheListedDevicesAreKeptAsUnmeasured() {
        List<VisibleGpu> gpus =
                VisibleGpus.discover(NvmlAccess.unavailable("no NVML"), Map.of("CUDA_VISIBLE_DEVICES", "0,GPU-bbbb"));

        assertThat(gpus)
                .extracting(VisibleGpu::device)
                .containsExactly(
                        new GpuDevice(0, null, "CUDA device 0", null, 0, false),
                        new GpuDevice(1, null, "CUDA device GPU-bbbb", "GPU-bbbb", 0, false));
        assertThat(gpus).extracting(VisibleGpu::unmeasuredReason).containsExactly("no NVML", "no NVML");
        assertThat(VisibleGpus.discover(NvmlAccess.unavailable("no NVML"), Map.of()))
                .isEmpty();
    }
}
