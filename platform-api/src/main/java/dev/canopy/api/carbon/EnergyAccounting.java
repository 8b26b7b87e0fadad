package dev.canopy.api.carbon;

import dev.canopy.api.carbon.EnergyLedger.ComponentKey;
import dev.canopy.api.carbon.EnergyLedger.Interval;
import dev.canopy.api.carbon.EnergyLedger.Meter;
import dev.canopy.api.carbon.EnergyLedger.NewMeter;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.InvalidRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Charges what runners metered. Readings are cumulative; each one adds, per component, the energy since the
 * previous one over the time from the previous reading's arrival to this one's (server time), so a run's energy
 * tiles its time without gaps or overlaps. That time is cut at UTC hours and where the grid intensity changes
 * (trace points), each piece getting its share of the energy by duration. A piece that continues the meter's
 * interval for the same component, hour and intensity extends it; otherwise it starts a new one. The intensity,
 * its provenance and the resulting kg CO2e are stored with each interval: later changes to tables or traces never
 * rewrite what was charged.
 */
@ApplicationScoped
public class EnergyAccounting {

    @Inject
    EnergyLedger ledger;

    @Inject
    IntensityTraces traces;

    @Inject
    GridIntensity grid;

    @Inject
    CarbonConfig config;

    /** The runner a reading comes from: its zone and PUE as it declared them (null: undeclared). */
    /** @param registeredAt when the runner registered: no reading of it covers time before that */
    public record Reporter(UUID workerId, String workerName, String zone, Double pue, Instant registeredAt) {}

    /** Applies a run attempt's reading, in the caller's transaction; {@code last} closes the attempt's meter. */
    public void run(UUID teamId, UUID runId, int attempt, Reporter reporter, EnergyReport report, boolean last) {
        apply(meterFor(teamId, runId, attempt, null, reporter, report), report, last);
    }

    /** Applies a runner session's reading of its time without a run (charged to no team). */
    public void idle(Reporter reporter, UUID session, EnergyReport report) {
        apply(meterFor(null, null, null, session, reporter, report), report, false);
    }

    private NewMeter meterFor(
            UUID teamId, UUID runId, Integer attempt, UUID session, Reporter reporter, EnergyReport report) {
        check(report);
        Instant now = DatabaseTime.now();
        // A first reading says how long it covers; never from before the runner registered (a reading claiming
        // years would spread its energy over past months, an interval for every hour of them).
        Instant start = now.minusNanos(Math.round(report.seconds() * 1e9));
        if (reporter.registeredAt() != null && start.isBefore(reporter.registeredAt())) {
            // The registration is the database's time and now this JVM's: never past now, whatever their skew.
            start = reporter.registeredAt().isBefore(now) ? reporter.registeredAt() : now;
        }
        return new NewMeter(
                teamId,
                runId,
                attempt,
                reporter.workerId(),
                reporter.workerName(),
                session,
                reporter.zone() == null || reporter.zone().isBlank() ? null : grid.canonical(reporter.zone()),
                reporter.pue() == null ? config.pue() : reporter.pue(),
                start);
    }

    private void apply(NewMeter newMeter, EnergyReport report, boolean last) {
        Meter meter = ledger.lock(newMeter);
        if (meter.closed()) {
            return;
        }
        Instant now = DatabaseTime.now();
        Instant from = meter.reportedAt();
        Instant to = now.isAfter(from) ? now : from;
        List<IntensityPiece> pieces = hourly(traces.over(meter.teamId(), meter.zone(), from, to));
        Map<ComponentKey, Double> stored = ledger.components(meter.id());
        List<Interval> intervals = new ArrayList<>();
        for (EnergyReport.Part part : report.components()) {
            ComponentKey key = new ComponentKey(part.component(), part.deviceKey(), part.method());
            Double before = stored.get(key);
            if (!part.measured()) {
                ledger.putComponent(meter.id(), key, part.deviceName(), part.detail(), null);
                continue;
            }
            double delta = part.joules() - (before == null ? 0 : before);
            if (delta > 0 || before == null) {
                ledger.putComponent(meter.id(), key, part.deviceName(), part.detail(), Math.max(part.joules(), 0));
            }
            if (delta > 0) {
                intervals.addAll(split(key, delta, pieces));
            }
        }
        ledger.addIntervals(meter, intervals);
        ledger.advance(meter.id(), Math.max(meter.seconds(), report.seconds()), to, last);
    }

    /**
     * Cuts pieces at UTC hour boundaries: an interval never spans two hours, so hours, days and months add up
     * exactly, and a meter's readings within one hour extend one interval instead of adding rows.
     */
    static List<IntensityPiece> hourly(List<IntensityPiece> pieces) {
        List<IntensityPiece> cut = new ArrayList<>();
        for (IntensityPiece piece : pieces) {
            Instant from = piece.from();
            Instant hour = from.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
            while (hour.isBefore(piece.to())) {
                cut.add(new IntensityPiece(from, hour, piece.intensity()));
                from = hour;
                hour = hour.plus(1, ChronoUnit.HOURS);
            }
            cut.add(new IntensityPiece(from, piece.to(), piece.intensity()));
        }
        return cut;
    }

    /** Shares {@code joules} among the pieces by duration (all to the one piece of a zero-length interval). */
    static List<Interval> split(ComponentKey key, double joules, List<IntensityPiece> pieces) {
        double total = pieces.stream().mapToDouble(IntensityPiece::seconds).sum();
        List<Interval> intervals = new ArrayList<>();
        double given = 0;
        for (int i = 0; i < pieces.size(); i++) {
            IntensityPiece piece = pieces.get(i);
            double share = i == pieces.size() - 1 ? joules - given : total == 0 ? 0 : joules * piece.seconds() / total;
            given += share;
            if (share > 0 || pieces.size() == 1) {
                intervals.add(new Interval(key, piece.from(), piece.to(), share, piece.intensity()));
            }
        }
        return intervals;
    }

    private static void check(EnergyReport report) {
        if (!Double.isFinite(report.seconds())) {
            throw new InvalidRequest("energy.seconds", "must be a finite number");
        }
        Set<ComponentKey> seen = new HashSet<>();
        for (EnergyReport.Part part : report.components()) {
            String field = "energy.components[" + part.component() + "/" + part.device() + "/" + part.method() + "]";
            if (part.measured() && (part.joules() == null || !Double.isFinite(part.joules()))) {
                throw new InvalidRequest(field, "a measured component needs finite joules");
            }
            if (!part.measured() && part.joules() != null) {
                throw new InvalidRequest(field, "an unmeasured component has no joules; say why in detail");
            }
            if ("GPU".equals(part.component()) != (part.device() != null)) {
                throw new InvalidRequest(field, "GPU components name their device, CPU and RAM do not");
            }
            if (!seen.add(new ComponentKey(part.component(), part.deviceKey(), part.method()))) {
                throw new InvalidRequest(field, "appears twice");
            }
        }
    }
}
