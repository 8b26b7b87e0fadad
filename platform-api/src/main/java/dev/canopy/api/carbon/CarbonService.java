package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.AttemptView;
import dev.canopy.api.carbon.CarbonRecords.ComponentView;
import dev.canopy.api.carbon.CarbonRecords.EmissionsView;
import dev.canopy.api.carbon.CarbonRecords.EnergyView;
import dev.canopy.api.carbon.CarbonRecords.IntensityView;
import dev.canopy.api.carbon.CarbonRecords.RunCarbon;
import dev.canopy.api.carbon.RunEnergyQueries.IntensityRow;
import dev.canopy.api.carbon.RunEnergyQueries.RunRows;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The energy and emissions other features show: on runs (all attempts added up), on model versions (the run that
 * produced them) and on workers (their time without a run).
 */
@ApplicationScoped
public class CarbonService {

    @Inject
    RunEnergyQueries queries;

    @Inject
    WorkerEnergyQueries workers;

    /** Runs that have metered energy, by id; runs without any are absent. */
    public Map<UUID, RunCarbon> ofRuns(Collection<UUID> runIds) {
        Map<UUID, RunCarbon> carbon = new HashMap<>();
        queries.of(runIds.stream().filter(Objects::nonNull).collect(Collectors.toSet()))
                .forEach((run, rows) -> carbon.put(run, carbonOf(rows)));
        return carbon;
    }

    /** Energy of each worker outside runs, all time, by worker id. */
    public Map<UUID, CarbonRecords.IdleEnergy> idleByWorker() {
        return workers.idle();
    }

    private static RunCarbon carbonOf(RunRows rows) {
        List<ComponentView> components = rows.components().stream()
                .map(c -> new ComponentView(
                        c.component(),
                        c.device() < 0 ? null : c.device(),
                        c.deviceName(),
                        c.joules() == null ? null : Emissions.kwh(c.joules()),
                        c.method(),
                        c.detail()))
                .toList();
        List<AttemptView> attempts = rows.attempts().stream()
                .map(a -> new AttemptView(
                        a.attempt(), a.worker(), a.zone(), a.pue(), Emissions.kwh(a.joules()), a.seconds(), a.closed()))
                .toList();
        double itJoules =
                rows.intensities().stream().mapToDouble(IntensityRow::joules).sum();
        double facilityJoules = rows.intensities().stream()
                .mapToDouble(IntensityRow::facilityJoules)
                .sum();
        double kg =
                rows.intensities().stream().mapToDouble(IntensityRow::kgCo2e).sum();
        double pue = itJoules > 0
                ? facilityJoules / itJoules
                : attempts.isEmpty() ? 1.0 : attempts.get(attempts.size() - 1).pue();
        EnergyView energy = new EnergyView(
                Emissions.kwh(facilityJoules),
                Emissions.kwh(itJoules),
                pue,
                components,
                attempts,
                components.stream().noneMatch(c -> c.kwh() == null),
                !attempts.isEmpty() && attempts.stream().allMatch(AttemptView::isFinal));
        IntensityView intensity =
                rows.intensities().isEmpty() ? null : intensityOf(rows.intensities(), kg, facilityJoules);
        return new RunCarbon(energy, intensity == null ? null : new EmissionsView(kg, intensity));
    }

    /** The one intensity applied, or the energy-weighted mix when there were several (trace hours, zones). */
    static IntensityView intensityOf(List<IntensityRow> rows, double kg, double facilityJoules) {
        Instant from = rows.stream()
                .map(IntensityRow::firstPoint)
                .filter(Objects::nonNull)
                .min(Instant::compareTo)
                .orElse(null);
        Instant to = rows.stream()
                .map(IntensityRow::lastPoint)
                .filter(Objects::nonNull)
                .max(Instant::compareTo)
                .orElse(null);
        if (rows.size() == 1) {
            Intensity i = rows.get(0).intensity();
            return new IntensityView(
                    i.zone(),
                    i.gCo2ePerKwh(),
                    i.source(),
                    i.year(),
                    i.timestamp(),
                    from,
                    to,
                    i.method(),
                    i.fallback(),
                    i.note(),
                    1);
        }
        double weighted = facilityJoules > 0 ? kg * 1000 / Emissions.kwh(facilityJoules) : 0;
        Set<String> zones = distinct(rows, r -> r.intensity().zone());
        Set<String> methods = distinct(rows, r -> r.intensity().method());
        Set<String> notes = distinct(rows, r -> r.intensity().note());
        Set<Integer> years = rows.stream().map(r -> r.intensity().year()).collect(Collectors.toSet());
        return new IntensityView(
                String.join(", ", zones),
                weighted,
                String.join("; ", distinct(rows, r -> r.intensity().source())),
                years.size() == 1 ? years.iterator().next() : null,
                null,
                from,
                to,
                "energy-weighted mix of " + rows.size() + " intensities: " + String.join("; ", methods),
                rows.stream().anyMatch(r -> r.intensity().fallback()),
                notes.isEmpty() ? null : String.join("; ", notes),
                rows.size());
    }

    private static Set<String> distinct(List<IntensityRow> rows, java.util.function.Function<IntensityRow, String> f) {
        return rows.stream().map(f).filter(Objects::nonNull).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
