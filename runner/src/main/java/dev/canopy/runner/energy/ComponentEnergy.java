package dev.canopy.runner.energy;

/**
 * Energy of one component (one device for GPUs: {@code device} is the NVML index, else null) by one method,
 * cumulative since the reading began. {@code joules} is null exactly when {@code method} is {@link
 * Method#UNMEASURED}; {@code detail} says how it was obtained (constants, sample period, uncertainty) or why it
 * could not be.
 */
public record ComponentEnergy(
        Component component, Integer device, String deviceName, Method method, Double joules, String detail) {}
