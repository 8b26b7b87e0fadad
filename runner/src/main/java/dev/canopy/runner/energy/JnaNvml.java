package dev.canopy.runner.energy;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * {@link Nvml} over the driver's libnvidia-ml through JNA. Uses the {@code _v2} entry points where they exist;
 * a function missing from an old driver fails as {@link NvmlException#FUNCTION_NOT_FOUND}.
 */
public final class JnaNvml implements Nvml {

    /** Where drivers put the library when it is not on the loader's path (Debian, RHEL, containers, WSL). */
    static final List<String> KNOWN_PATHS = List.of(
            "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
            "/usr/lib64/libnvidia-ml.so.1",
            "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
            "/usr/lib/wsl/lib/libnvidia-ml.so.1");

    private static final int NAME_BUFFER = 96;

    /** The mapped C functions; signatures follow nvml.h. */
    interface NvmlLibrary extends Library {
        int nvmlInit_v2();

        int nvmlShutdown();

        int nvmlDeviceGetCount_v2(IntByReference count);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetName(Pointer device, byte[] name, int length);

        int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

        /** {@code nvmlMemory_t} is three unsigned long longs: total, free, used. */
        int nvmlDeviceGetMemoryInfo(Pointer device, long[] memory);

        int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference energy);

        int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

        int nvmlDeviceGetArchitecture(Pointer device, IntByReference arch);

        String nvmlErrorString(int result);
    }

    private final NvmlLibrary lib;
    private final Map<Integer, Pointer> handles = new ConcurrentHashMap<>();

    private JnaNvml(NvmlLibrary lib) {
        this.lib = lib;
    }

    /**
     * Loads and initialises NVML from {@code explicit} when given, else "nvidia-ml" on the loader's path, else
     * {@link #KNOWN_PATHS}. Never throws: a library that is missing or fails to initialise gives {@link
     * NvmlAccess#unavailable} with the reason.
     */
    public static NvmlAccess load(Path explicit) {
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates(explicit)) {
            if (candidate.startsWith("/") && !Files.exists(Path.of(candidate))) {
                tried.add(candidate + " (absent)");
                continue;
            }
            NvmlLibrary lib;
            try {
                lib = Native.load(candidate, NvmlLibrary.class);
            } catch (LinkageError e) {
                tried.add(candidate + " (" + firstLine(e.getMessage()) + ")");
                continue;
            }
            JnaNvml nvml = new JnaNvml(lib);
            try {
                nvml.init();
                return NvmlAccess.of(nvml);
            } catch (NvmlException e) {
                return NvmlAccess.unavailable("nvmlInit_v2 failed in " + candidate + ": " + e.getMessage());
            }
        }
        return NvmlAccess.unavailable("NVML library not found; tried " + String.join(", ", tried));
    }

    private static List<String> candidates(Path explicit) {
        List<String> candidates = new ArrayList<>();
        if (explicit != null) {
            candidates.add(explicit.toAbsolutePath().toString());
        }
        candidates.add("nvidia-ml");
        candidates.addAll(KNOWN_PATHS);
        return candidates;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not loadable";
        }
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline);
        return first.endsWith(":") ? first.substring(0, first.length() - 1) : first;
    }

    @Override
    public void init() {
        check("nvmlInit_v2", lib::nvmlInit_v2);
    }

    @Override
    public void shutdown() {
        handles.clear();
        check("nvmlShutdown", lib::nvmlShutdown);
    }

    @Override
    public int deviceCount() {
        IntByReference count = new IntByReference();
        check("nvmlDeviceGetCount_v2", () -> lib.nvmlDeviceGetCount_v2(count));
        return count.getValue();
    }

    @Override
    public String name(int index) {
        byte[] name = new byte[NAME_BUFFER];
        check("nvmlDeviceGetName", () -> lib.nvmlDeviceGetName(handle(index), name, name.length));
        return Native.toString(name);
    }

    @Override
    public String uuid(int index) {
        byte[] uuid = new byte[NAME_BUFFER];
        check("nvmlDeviceGetUUID", () -> lib.nvmlDeviceGetUUID(handle(index), uuid, uuid.length));
        return Native.toString(uuid);
    }

    @Override
    public long memoryTotalBytes(int index) {
        long[] memory = new long[3];
        check("nvmlDeviceGetMemoryInfo", () -> lib.nvmlDeviceGetMemoryInfo(handle(index), memory));
        return memory[0];
    }

    @Override
    public long totalEnergyMillijoules(int index) {
        LongByReference energy = new LongByReference();
        check(
                "nvmlDeviceGetTotalEnergyConsumption",
                () -> lib.nvmlDeviceGetTotalEnergyConsumption(handle(index), energy));
        return energy.getValue();
    }

    @Override
    public int powerMilliwatts(int index) {
        IntByReference power = new IntByReference();
        check("nvmlDeviceGetPowerUsage", () -> lib.nvmlDeviceGetPowerUsage(handle(index), power));
        return power.getValue();
    }

    @Override
    public int architecture(int index) {
        IntByReference arch = new IntByReference();
        check("nvmlDeviceGetArchitecture", () -> lib.nvmlDeviceGetArchitecture(handle(index), arch));
        return arch.getValue();
    }

    private Pointer handle(int index) {
        Pointer handle = handles.get(index);
        if (handle == null) {
            PointerByReference ref = new PointerByReference();
            check("nvmlDeviceGetHandleByIndex_v2", () -> lib.nvmlDeviceGetHandleByIndex_v2(index, ref));
            handle = ref.getValue();
            handles.put(index, handle);
        }
        return handle;
    }

    private void check(String function, IntSupplier call) {
        int result;
        try {
            result = call.getAsInt();
        } catch (UnsatisfiedLinkError e) {
            throw new NvmlException(NvmlException.FUNCTION_NOT_FOUND, function + ": not in this NVML library");
        }
        if (result != 0) {
            throw new NvmlException(result, function + ": " + lib.nvmlErrorString(result));
        }
    }
}
