package dev.canopy.runner.energy;

/** NVML refused a call: {@link #code()} is NVML's return code, the message its {@code nvmlErrorString}. */
public final class NvmlException extends RuntimeException {

    /** {@code NVML_ERROR_NOT_SUPPORTED}. */
    public static final int NOT_SUPPORTED = 3;
    /** {@code NVML_ERROR_FUNCTION_NOT_FOUND}: the loaded library lacks the function. */
    public static final int FUNCTION_NOT_FOUND = 13;
    /** {@code NVML_ERROR_GPU_IS_LOST}. */
    public static final int GPU_IS_LOST = 15;
    /** {@code NVML_ERROR_UNKNOWN}. */
    public static final int UNKNOWN = 999;

    private final int code;

    public NvmlException(int code, String errorString) {
        super(errorString + " (NVML " + code + ")");
        this.code = code;
    }

    /** NVML's return code ({@code nvmlReturn_t}). */
    public int code() {
        return code;
    }
}
