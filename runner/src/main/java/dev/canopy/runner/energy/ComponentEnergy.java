package dev.canopy.runner.energy;

/**
 * Energy of one component (one device for GPUs: {@code device} is its NVML index, or its CUDA index when NVML could
 * not be loaded and {@code deviceName} is "CUDA device N"; null for CPU and RAM) by one method,
 * cumulative since the reading began. {@code joules} is null exactly when {@code method} is {@link
 * Method#UNMEASURED}; {@code detail} says how it was obtained (constants, sample period, uncertainty) or why it
 * could not be.
 */
public record ComponentEnergy(
        Component component, Integer device, String deviceName, Method method, Double joules, String detail) {}
