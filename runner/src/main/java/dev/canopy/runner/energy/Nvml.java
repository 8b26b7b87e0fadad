package dev.canopy.runner.energy;

/**
 * The NVML functions the meter uses, by device index (NVML order, which is PCI bus order). Every call throws
 * {@link NvmlException} with NVML's return code when NVML refuses. Implementations must be safe to call from
 * several threads; the meter calls them under its own lock anyway.
 */
public interface Nvml {

    /** Architecture reported when NVML does not know it ({@code NVML_DEVICE_ARCH_UNKNOWN}). */
    int ARCH_UNKNOWN = 0xffffffff;

    /** {@code NVML_DEVICE_ARCH_AMPERE}: from here on the power reading is a 1-second average. */
    int ARCH_AMPERE = 7;

    /** {@code nvmlInit_v2}. */
    void init();

    /** {@code nvmlShutdown}. */
    void shutdown();

    /** {@code nvmlDeviceGetCount_v2}. */
    int deviceCount();

    /** {@code nvmlDeviceGetName}. */
    String name(int index);

    /** {@code nvmlDeviceGetUUID}, e.g. "GPU-8932f937-d72c-4106-c12f-20bd9faed9f6". */
    String uuid(int index);

    /** {@code nvmlDeviceGetMemoryInfo}: total memory in bytes. */
    long memoryTotalBytes(int index);

    /** {@code nvmlDeviceGetTotalEnergyConsumption}: mJ since the driver was loaded (Volta and newer). */
    long totalEnergyMillijoules(int index);

    /** {@code nvmlDeviceGetPowerUsage}: mW (a 1-second average on Ampere and newer, except GA100). */
    int powerMilliwatts(int index);

    /** {@code nvmlDeviceGetArchitecture}: 2 Kepler … 7 Ampere, 8 Ada, 9 Hopper; {@link #ARCH_UNKNOWN}. */
    int architecture(int index);
}
