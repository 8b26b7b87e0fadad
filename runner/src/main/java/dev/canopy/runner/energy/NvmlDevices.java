package dev.canopy.runner.energy;

/** Reads what the meter needs to know about one NVML device. */
final class NvmlDevices {

    private NvmlDevices() {}

    /**
     * Describes NVML device {@code nvmlIndex}, seen by CUDA as {@code cudaIndex}: name, UUID, memory,
     * architecture, and whether its energy counter answers. A device NVML cannot describe is unmeasured.
     */
    static VisibleGpu describe(Nvml nvml, int nvmlIndex, int cudaIndex) {
        String name;
        String uuid;
        long memory;
        try {
            name = nvml.name(nvmlIndex);
            uuid = nvml.uuid(nvmlIndex);
            memory = nvml.memoryTotalBytes(nvmlIndex);
        } catch (NvmlException e) {
            GpuDevice device = new GpuDevice(cudaIndex, nvmlIndex, "NVML device " + nvmlIndex, null, 0, false);
            return VisibleGpu.unmeasured(device, "NVML cannot describe the device: " + e.getMessage());
        }
        String counterProblem = null;
        try {
            nvml.totalEnergyMillijoules(nvmlIndex);
        } catch (NvmlException e) {
            counterProblem = e.getMessage();
        }
        GpuDevice device = new GpuDevice(cudaIndex, nvmlIndex, name, uuid, memory, counterProblem == null);
        return new VisibleGpu(device, architecture(nvml, nvmlIndex), counterProblem, null);
    }

    private static int architecture(Nvml nvml, int index) {
        try {
            return nvml.architecture(index);
        } catch (NvmlException e) {
            return Nvml.ARCH_UNKNOWN;
        }
    }
}
