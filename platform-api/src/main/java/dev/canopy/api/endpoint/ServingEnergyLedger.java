package dev.canopy.api.endpoint;

import dev.canopy.api.carbon.CarbonConfig;
import dev.canopy.api.carbon.GridIntensity;
import dev.canopy.api.carbon.Intensity;
import dev.canopy.runner.energy.CpuPowerModel;
import dev.canopy.runner.inference.ServedModel;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What serving each version has cost in this control plane since it started, across loads and unloads: the
 * serving threads' CPU time and the predictions they answered, charged as they happen (at each sample) with this
 * machine's CPU power per logical CPU, the PUE and the serving zone's intensity. Stored for the other control planes
 * with the serving counts ({@link ServingPool}); {@link #perThousand} divides the sums over all of them by their
 * predictions. Thread-safe.
 */
@ApplicationScoped
class ServingEnergyLedger {

    /** The sums of one version on one control plane. */
    record Charged(double cpuSeconds, long predictions, double kWh, double kgCo2e, double pue, String zone) {

        Charged plus(double cpuSeconds, long predictions, double kWh, double kgCo2e) {
            return new Charged(
                    this.cpuSeconds + cpuSeconds,
                    this.predictions + predictions,
                    this.kWh + kWh,
                    this.kgCo2e + kgCo2e,
                    pue,
                    zone);
        }
    }

    /** A loaded model, the version it serves, and how much of its work has been charged already. */
    private static final class Tracked {
        final UUID versionId;
        final ServedModel model;
        long cpuNanosCharged;
        long predictionsCharged;

        Tracked(UUID versionId, ServedModel model) {
            this.versionId = versionId;
            this.model = model;
        }
    }

    @Inject
    ServingConfig config;

    @Inject
    CarbonConfig carbon;

    @Inject
    GridIntensity grid;

    @Inject
    ServingPool pool;

    /**
     * By model: a version unloaded and loaded again at once has two models for a moment, and the first one's last
     * work is charged when its unloading is reported.
     */
    private final Map<ServedModel, Tracked> loaded = new IdentityHashMap<>();

    private final Map<UUID, Charged> charged = new HashMap<>();
    /** What {@link #store} last stored of each entry of {@link #charged}. */
    private final Map<UUID, Charged> stored = new HashMap<>();

    private CpuPowerModel cpu;
    private Intensity intensity;

    /** Starts charging the serving of {@code model}, just loaded for {@code versionId}. */
    synchronized void loaded(UUID versionId, ServedModel model) {
        loaded.put(model, new Tracked(versionId, model));
    }

    /** Charges what {@code model} did since the last sample and stops following it (it is being unloaded). */
    synchronized void unloaded(ServedModel model) {
        Tracked tracked = loaded.remove(model);
        if (tracked != null) {
            charge(tracked);
        }
    }

    /** Charges every loaded model's work so far and stores the sums that changed for the other control planes. */
    void store() throws SQLException {
        Map<UUID, Charged> changed = new HashMap<>();
        synchronized (this) {
            loaded.values().forEach(this::charge);
            charged.forEach((version, sums) -> {
                if (!sums.equals(stored.get(version))) {
                    changed.put(version, sums);
                }
            });
        }
        if (changed.isEmpty()) {
            return;
        }
        pool.storeEnergy(changed);
        synchronized (this) {
            stored.putAll(changed);
        }
    }

    /**
     * Energy and emissions per 1,000 predictions of the version, over every control plane that served it (this one
     * as it is now, the others as they last stored, about a second ago); null before its first prediction. When the
     * others cannot be read, this control plane's alone.
     */
    ServingEnergy perThousand(UUID versionId) {
        Charged here;
        synchronized (this) {
            loaded.values().stream().filter(t -> t.versionId.equals(versionId)).forEach(this::charge);
            here = charged.get(versionId);
        }
        List<Charged> planes = new ArrayList<>();
        if (here != null) {
            planes.add(here);
        }
        try {
            planes.addAll(pool.energyElsewhere(versionId));
        } catch (SQLException e) {
            Log.warnf(
                    "Serving energy of version %s on other control planes could not be read: %s",
                    versionId, e.getMessage());
        }
        return summed(
                planes,
                here == null || here.predictions() == 0 ? "served none of it" : machine(),
                intensity().gCo2ePerKwh());
    }

    /**
     * Energy per 1,000 predictions over {@code planes}' sums: every plane that spent CPU time on the version counts,
     * one whose requests all failed too (its CPU time is the version's cost all the same); null when none answered
     * a prediction. {@code thisPlane} describes the answering control plane; {@code gCo2ePerKwh} stands in for the
     * implied intensity when no energy was counted.
     */
    static ServingEnergy summed(List<Charged> all, String thisPlane, double gCo2ePerKwh) {
        List<Charged> planes = all.stream()
                .filter(c -> c.predictions() > 0 || c.cpuSeconds() > 0)
                .toList();
        if (planes.stream().mapToLong(Charged::predictions).sum() == 0) {
            return null;
        }
        double cpuSeconds = 0;
        long predictions = 0;
        double kWh = 0;
        double kg = 0;
        for (Charged c : planes) {
            cpuSeconds += c.cpuSeconds();
            predictions += c.predictions();
            kWh += c.kWh();
            kg += c.kgCo2e();
        }
        boolean onePue = planes.stream().map(Charged::pue).distinct().count() == 1;
        boolean oneZone = planes.stream().map(Charged::zone).distinct().count() == 1;
        String detail = String.format(
                Locale.ROOT,
                "CPU time of the serving threads (encode, forward pass, decode: %.3f s over %d predictions, on %d"
                        + " control plane%s) x each plane's W per logical CPU x its PUE; a model, not a measurement."
                        + " This control plane: %s",
                cpuSeconds,
                predictions,
                planes.size(),
                planes.size() == 1 ? "" : "s",
                thisPlane);
        return new ServingEnergy(
                kWh / predictions * 1000,
                kg / predictions * 1000,
                onePue ? planes.get(0).pue() : null,
                oneZone ? planes.get(0).zone() : null,
                kWh > 0 ? kg / kWh * 1000 : gCo2ePerKwh,
                "model",
                planes.size(),
                detail);
    }

    /** Charges the model's work since its last charge to the version, at this machine's power and intensity now. */
    private void charge(Tracked tracked) {
        long cpuNanos = tracked.model.cpuNanos();
        long predictions = tracked.model.predictions();
        long cpuDelta = cpuNanos - tracked.cpuNanosCharged;
        long predictionsDelta = predictions - tracked.predictionsCharged;
        if (cpuDelta == 0 && predictionsDelta == 0) {
            return;
        }
        tracked.cpuNanosCharged = cpuNanos;
        tracked.predictionsCharged = predictions;
        double seconds = cpuDelta / 1e9;
        double kWh = seconds * wattsPerCpu() / 3.6e6 * carbon.pue();
        Intensity zone = intensity();
        charged.merge(
                tracked.versionId,
                new Charged(seconds, predictionsDelta, kWh, kWh * zone.gCo2ePerKwh() / 1000, carbon.pue(), zone.zone()),
                (sum, more) -> sum.plus(more.cpuSeconds(), more.predictions(), more.kWh(), more.kgCo2e()));
    }

    private String machine() {
        CpuPowerModel machine = cpuModel();
        Intensity zone = intensity();
        return String.format(
                Locale.ROOT,
                "%.2f W per logical CPU (W_max %.1f W / %d CPUs: %s), PUE %.2f, %s at %.0f g CO2e/kWh%s",
                wattsPerCpu(),
                machine.maxWatts(),
                machine.logicalCpus(),
                machine.description(),
                carbon.pue(),
                zone.zone(),
                zone.gCo2ePerKwh(),
                zone.fallback() ? " (" + zone.note() + ")" : "");
    }

    private synchronized double wattsPerCpu() {
        // The machine's CPUs, the ones W_max powers: a container limited to fewer still runs on CPUs of that power.
        CpuPowerModel machine = cpuModel();
        return machine.maxWatts() / machine.logicalCpus();
    }

    private synchronized CpuPowerModel cpuModel() {
        if (cpu == null) {
            cpu = CpuPowerModel.forThisMachine(config.cpuWatts().orElse(null), "serving is metered by CPU time");
        }
        return cpu;
    }

    private synchronized Intensity intensity() {
        if (intensity == null) {
            intensity = grid.resolve(config.zone().orElse(null));
        }
        return intensity;
    }
}
