package dev.canopy.api.carbon;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the carbon API returns, and the energy and emissions that runs, model versions and workers show. */
public final class CarbonRecords {

    private CarbonRecords() {}

    /** The energy and emissions of a run (all its attempts) or of a model version (the run that produced it). */
    public record RunCarbon(EnergyView energy, EmissionsView emissions) {}

    /**
     * @param totalKwh facility energy: the IT energy of the components × the PUE of the site each part ran at
     * @param itKwh the components' energy as metered
     * @param pue totalKwh / itKwh
     * @param complete false when some component could not be measured (its kWh is null, its detail says why)
     * @param isFinal true when every attempt reported its final reading; until then the figures grow
     */
    public record EnergyView(
            double totalKwh,
            double itKwh,
            double pue,
            List<ComponentView> components,
            List<AttemptView> attempts,
            boolean complete,
            @JsonProperty("final") boolean isFinal) {}

    /** One component (per GPU device) by one method, summed over the run's attempts. */
    public record ComponentView(
            String component, Integer device, String deviceName, Double kwh, String method, String detail) {}

    /** What one attempt of a run used, where. */
    public record AttemptView(
            int attempt,
            String worker,
            String zone,
            double pue,
            double itKwh,
            double seconds,
            @JsonProperty("final") boolean isFinal) {}

    /** @param intensity the grid intensity applied: the one row used, or the energy-weighted mix of several */
    public record EmissionsView(double kgCo2e, IntensityView intensity) {}

    /**
     * @param timestamp the trace point used, when one was; {@code from}/{@code to} span the points of a mix
     * @param parts how many distinct intensities were applied (1: exactly this row)
     */
    public record IntensityView(
            String zone,
            double gCo2ePerKwh,
            String source,
            Integer year,
            Instant timestamp,
            Instant from,
            Instant to,
            String method,
            boolean fallback,
            String note,
            int parts) {}

    /** A run's energy ledger: its totals and every interval charged. */
    public record RunEnergyLedger(
            UUID runId, EnergyView energy, EmissionsView emissions, List<IntervalView> intervals) {}

    /**
     * Energy of one component between two readings of one attempt, and what it was charged with.
     *
     * @param itKwh as metered; kgCo2e = itKwh × pue × intensity.gCo2ePerKwh / 1000
     */
    public record IntervalView(
            int attempt,
            String component,
            Integer device,
            String method,
            Instant from,
            Instant to,
            double itKwh,
            double pue,
            Intensity intensity,
            double kgCo2e) {}

    /** What a queued run is expected to use, from similar finished runs. */
    public record Forecast(double kwh, double kgCo2e, double gCo2ePerKwh, String basis, List<UUID> basedOn) {}

    /** A worker's energy outside runs, all time. */
    public record IdleEnergy(double kwh, double kgCo2e) {}

    record Totals(double kwh, double itKwh, double kgCo2e, long runs, Map<String, Double> kwhByMethod) {}

    record Group(String key, double kwh, double itKwh, double kgCo2e, long runs, Map<String, Double> kwhByMethod) {}

    /**
     * @param unmeasuredRuns runs in the period with a component that could not be measured (totals miss it)
     */
    record Summary(
            String team,
            Instant from,
            Instant to,
            String groupBy,
            Totals total,
            List<Group> groups,
            long unmeasuredRuns) {}

    enum Enforcement {
        /** New trained runs are refused with BUDGET_EXCEEDED once the month's budget is spent. */
        REFUSE,
        /** They are accepted with a warning. */
        WARN
    }

    record BudgetRequest(
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("1e12") Double monthlyKgCo2e,
            @Min(1) @Max(100) Integer warnPercent,
            Enforcement enforcement) {}

    /**
     * @param state NONE (no budget), OK, WARNING (from warnPercent) or EXCEEDED (100 % or more)
     */
    record BudgetResponse(
            Double monthlyKgCo2e,
            Integer warnPercent,
            Enforcement enforcement,
            String month,
            double usedKgCo2e,
            Double percent,
            String state,
            Instant updatedAt) {}

    record TraceResponse(String zone, String source, int points, Instant firstAt, Instant lastAt, Instant uploadedAt) {}
}
