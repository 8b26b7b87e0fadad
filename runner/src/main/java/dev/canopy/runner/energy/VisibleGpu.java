package dev.canopy.runner.energy;

/**
 * A GPU as discovery found it: the device, its NVML architecture ({@link Nvml#ARCH_UNKNOWN} when unknown), why
 * its energy counter cannot be used (null: it can) and why nothing about it can be read (null: something can).
 */
record VisibleGpu(GpuDevice device, int architecture, String counterProblem, String unmeasuredReason) {

    /** A device whose energy cannot be read at all. */
    static VisibleGpu unmeasured(GpuDevice device, String reason) {
        return new VisibleGpu(device, Nvml.ARCH_UNKNOWN, reason, reason);
    }

    /** Whether NVML's power reading is a 1-second average (Ampere and newer, or unknown). */
    boolean averagedPower() {
        return architecture == Nvml.ARCH_UNKNOWN || architecture >= Nvml.ARCH_AMPERE;
    }
}
