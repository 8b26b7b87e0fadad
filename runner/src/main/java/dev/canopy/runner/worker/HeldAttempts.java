package dev.canopy.runner.worker;

import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.RunEnergy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What a runner tells the control plane of itself: its registration, and the attempts each heartbeat holds. */
final class HeldAttempts {

    private HeldAttempts() {}

    /** The registration of a runner on {@code machine}, offering {@code recipes}, metered by {@code meter}. */
    static Protocol.Register registration(
            RunnerOptions options, MachineInfo machine, Set<String> recipes, EnergyMeter meter) {
        Map<String, String> methods = new TreeMap<>();
        meter.methods().forEach((component, method) -> methods.put(component.name(), method.label()));
        return new Protocol.Register(
                options.name(),
                machine.host(),
                machine.cpuModel(),
                machine.cores(),
                machine.memoryBytes(),
                machine.gpus(),
                recipes,
                machine.djlVersion(),
                machine.pytorchVersion(),
                options.zone(),
                options.pue(),
                methods);
    }

    /**
     * The attempt a heartbeat renews: the running one with its progress and energy, else one still being prepared
     * (its dataset downloading, its checkpoint fetched), so that its lease does not expire before it starts, with
     * its energy so far ({@code preparingEnergy}, once metered): a preparation that fails, or a runner that dies
     * during it, has still reported the energy of its minutes.
     */
    static List<Protocol.Held> of(RunExecution running, Protocol.Assignment preparing, RunEnergy preparingEnergy) {
        if (running != null) {
            return List.of(new Protocol.Held(
                    running.assignment().runId(),
                    running.assignment().attempt(),
                    running.currentProgress(),
                    running.energy()));
        }
        return preparing == null
                ? List.of()
                : List.of(new Protocol.Held(
                        preparing.runId(),
                        preparing.attempt(),
                        null,
                        preparingEnergy == null ? null : Protocol.Energy.of(preparingEnergy.reading())));
    }
}
