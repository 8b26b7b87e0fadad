package dev.canopy.runner.energy;

/**
 * A GPU this process can use, in CUDA order ({@code CUDA_VISIBLE_DEVICES} honoured), with its NVML index (null
 * when NVML does not know it: NVML not loaded, or a MIG instance). {@code energyCounter} says whether NVML's
 * total-energy counter answered when the meter started; {@code uuid} is null when unknown.
 */
public record GpuDevice(
        int cudaIndex, Integer nvmlIndex, String name, String uuid, long memoryBytes, boolean energyCounter) {}
