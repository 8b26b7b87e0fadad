package dev.canopy.runner.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The GPUs this process can use, in CUDA order, mapped to NVML devices through {@code CUDA_VISIBLE_DEVICES}:
 * unset → every NVML device in NVML order; integers → NVML indices; {@code GPU-<uuid prefix>} → the one NVML
 * device whose UUID starts with it; {@code MIG-…} → a device whose energy is unmeasured (NVML gives no energy
 * per MIG instance). As in CUDA, the list ends at the first entry that names no device.
 *
 * <p>Integers are taken as NVML (PCI bus) order. CUDA's default order puts the fastest device first, which can
 * differ on a machine with mixed GPUs: set {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} there. Without NVML, the listed
 * devices are kept (unmeasured, with NVML's absence as the reason) so a run on them never reads 0 J.
 */
final class VisibleGpus {

    static final String MIG_REASON = "a MIG instance: NVML gives no per-MIG-instance energy";

    private VisibleGpus() {}

    static List<VisibleGpu> discover(NvmlAccess access, Map<String, String> env) {
        String visible = env.get("CUDA_VISIBLE_DEVICES");
        if (access.nvml().isEmpty()) {
            return visible == null ? List.of() : withoutNvml(visible, access.unavailableReason());
        }
        Nvml nvml = access.nvml().get();
        List<VisibleGpu> all = new ArrayList<>();
        int count = deviceCount(nvml);
        for (int i = 0; i < count; i++) {
            all.add(NvmlDevices.describe(nvml, i, i));
        }
        return visible == null ? all : select(nvml, all, visible);
    }

    /**
     * The device a slot names by CUDA index: one of {@code gpus}, or, when NVML is missing, a stand-in that is
     * unmeasured for that reason (the worker may know of GPUs NVML cannot show).
     *
     * @throws IllegalArgumentException for an index this process does not see
     */
    static VisibleGpu forSlot(List<VisibleGpu> gpus, NvmlAccess nvml, int cuda) {
        if (cuda >= 0 && cuda < gpus.size()) {
            return gpus.get(cuda);
        }
        if (cuda < 0 || nvml.nvml().isPresent()) {
            throw new IllegalArgumentException("no CUDA device " + cuda + ": this process sees " + gpus.size());
        }
        GpuDevice device = new GpuDevice(cuda, null, "CUDA device " + cuda, null, 0, false);
        return VisibleGpu.unmeasured(device, nvml.unavailableReason());
    }

    private static int deviceCount(Nvml nvml) {
        try {
            return nvml.deviceCount();
        } catch (NvmlException e) {
            return 0;
        }
    }

    private static List<VisibleGpu> select(Nvml nvml, List<VisibleGpu> all, String visible) {
        List<VisibleGpu> chosen = new ArrayList<>();
        for (String entry : entries(visible)) {
            int cuda = chosen.size();
            if (entry.startsWith("MIG-")) {
                chosen.add(VisibleGpu.unmeasured(new GpuDevice(cuda, null, entry, entry, 0, false), MIG_REASON));
                continue;
            }
            Integer nvmlIndex = nvmlIndex(all, entry);
            if (nvmlIndex == null
                    || chosen.stream().anyMatch(g -> nvmlIndex.equals(g.device().nvmlIndex()))) {
                break;
            }
            chosen.add(NvmlDevices.describe(nvml, nvmlIndex, cuda));
        }
        return chosen;
    }

    private static Integer nvmlIndex(List<VisibleGpu> all, String entry) {
        if (entry.matches("\\d+")) {
            int index = Integer.parseInt(entry);
            return index < all.size() ? index : null;
        }
        if (!entry.startsWith("GPU-")) {
            return null;
        }
        List<VisibleGpu> matches = all.stream()
                .filter(g -> g.device().uuid() != null && g.device().uuid().startsWith(entry))
                .toList();
        return matches.size() == 1 ? matches.get(0).device().nvmlIndex() : null;
    }

    private static List<VisibleGpu> withoutNvml(String visible, String reason) {
        List<VisibleGpu> listed = new ArrayList<>();
        for (String entry : entries(visible)) {
            int cuda = listed.size();
            String why = entry.startsWith("MIG-") ? MIG_REASON : reason;
            String uuid = entry.matches("\\d+") ? null : entry;
            listed.add(VisibleGpu.unmeasured(new GpuDevice(cuda, null, "CUDA device " + entry, uuid, 0, false), why));
        }
        return listed;
    }

    private static List<String> entries(String visible) {
        List<String> entries = new ArrayList<>();
        for (String entry : visible.split(",", -1)) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("-")) {
                break;
            }
            entries.add(trimmed);
        }
        return entries;
    }
}
