package dev.canopy.runner.energy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What a meter uses, per component, for {@link EnergyMeter#methods()} and {@link EnergyMeter#describe()}. */
final class MeterDescription {

    private MeterDescription() {}

    /** The method of every GPU this process knows of (slot devices included), the weakest summing them up. */
    static Map<Component, Method> methods(List<VisibleGpu> gpus, MeterLedger ledger) {
        Map<Component, Method> methods = new EnumMap<>(Component.class);
        gpuMethods(gpus, ledger).stream().max(Comparator.naturalOrder()).ifPresent(m -> methods.put(Component.GPU, m));
        methods.put(Component.CPU, ledger.host().cpu().method());
        methods.put(Component.RAM, Method.MODEL);
        return methods;
    }

    static List<String> lines(List<VisibleGpu> gpus, NvmlAccess nvml, MeterLedger ledger) {
        List<String> lines = new ArrayList<>();
        List<DeviceMeter> metered = ledger.allDevices();
        for (VisibleGpu gpu : gpus) {
            GpuDevice device = gpu.device();
            Optional<DeviceMeter> meter = meterOf(metered, device.cudaIndex());
            String how = meter.map(m -> m.ledger().mode().label() + ", "
                            + m.ledger().detail(m.ledger().mode()))
                    .orElseGet(() -> initialMode(gpu).label() + ", not owned by a slot: not read");
            lines.add(String.format(Locale.ROOT, "GPU %d (%s): %s", device.cudaIndex(), device.name(), how));
        }
        metered.stream()
                .filter(m -> m.device().cudaIndex() >= gpus.size())
                .forEach(m -> lines.add("GPU " + m.device().cudaIndex() + ": unmeasured, " + nvml.unavailableReason()));
        if (lines.isEmpty()) {
            lines.add("GPU: none" + (nvml.nvml().isEmpty() ? " (" + nvml.unavailableReason() + ")" : " visible"));
        }
        CpuEnergySource cpu = ledger.host().cpu();
        lines.add("CPU: " + cpu.method().label() + ", " + cpu.description());
        lines.add("RAM: model, " + ledger.host().ramDetail());
        return lines;
    }

    private static List<Method> gpuMethods(List<VisibleGpu> gpus, MeterLedger ledger) {
        List<DeviceMeter> metered = ledger.allDevices();
        List<Method> methods = new ArrayList<>();
        gpus.forEach(g -> methods.add(meterOf(metered, g.device().cudaIndex())
                .map(m -> m.ledger().mode())
                .orElseGet(() -> initialMode(g))));
        metered.stream()
                .filter(m -> m.device().cudaIndex() >= gpus.size())
                .forEach(m -> methods.add(m.ledger().mode()));
        return methods;
    }

    private static Optional<DeviceMeter> meterOf(List<DeviceMeter> metered, int cudaIndex) {
        return metered.stream().filter(m -> m.device().cudaIndex() == cudaIndex).findFirst();
    }

    private static Method initialMode(VisibleGpu gpu) {
        if (gpu.unmeasuredReason() != null) {
            return Method.UNMEASURED;
        }
        return gpu.counterProblem() == null ? Method.COUNTER : Method.POWER_INTEGRAL;
    }
}
