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
     * its energy so far (once metered): a preparation that fails, or a runner that dies during it, has still reported
     * the energy of its minutes. A preparation older than {@code preparationLimitNanos} is no longer held: stalled,
     * it goes back to the queue when its lease expires.
     */
    static List<Protocol.Held> of(ClaimedAttempt claim, long preparationLimitNanos) {
        if (claim == null) {
            return List.of();
        }
        RunExecution running = claim.running();
        if (running != null) {
            return List.of(new Protocol.Held(
                    claim.assignment().runId(),
                    claim.assignment().attempt(),
                    running.currentProgress(),
                    running.energy()));
        }
        if (claim.age() >= preparationLimitNanos) {
            return List.of();
        }
        RunEnergy energy = claim.energy();
        return List.of(new Protocol.Held(
                claim.assignment().runId(),
                claim.assignment().attempt(),
                null,
                energy == null ? null : Protocol.Energy.of(energy.reading())));
    }
}
