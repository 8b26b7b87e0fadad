package dev.canopy.runner.energy;

import java.util.Objects;
import java.util.Optional;

/**
 * NVML as the meter gets it: an initialised binding, or the reason there is none (the library was not found,
 * or {@code nvmlInit} failed). Not finding NVML is not an error: GPUs held by runs are then reported as {@link
 * Method#UNMEASURED} with this reason.
 */
public record NvmlAccess(Optional<Nvml> nvml, String unavailableReason) {

    public NvmlAccess {
        Objects.requireNonNull(nvml);
        if (nvml.isEmpty() == (unavailableReason == null)) {
            throw new IllegalArgumentException("either a binding or the reason there is none");
        }
    }

    /** An initialised binding. */
    public static NvmlAccess of(Nvml nvml) {
        return new NvmlAccess(Optional.of(nvml), null);
    }

    /** No binding, and why. */
    public static NvmlAccess unavailable(String reason) {
        return new NvmlAccess(Optional.empty(), reason);
    }
}
