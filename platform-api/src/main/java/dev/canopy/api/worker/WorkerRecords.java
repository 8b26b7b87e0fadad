package dev.canopy.api.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.canopy.api.carbon.CarbonRecords.IdleEnergy;
import dev.canopy.api.carbon.EnergyReport;
import dev.canopy.api.dataset.ColumnProfile;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The worker protocol's messages (runners ↔ control plane) and the workers listing. What runners send ignores
 * fields it does not know, unlike the REST API's requests: a runner of another release may send more.
 */
final class WorkerRecords {

    private WorkerRecords() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Gpu(int index, String name, long memoryBytes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RegisterRequest(
            @NotBlank @Size(max = 200) String name,
            @NotBlank @Size(max = 255) String host,
            @Size(max = 255) String cpuModel,
            @Min(1) int cores,
            @Min(0) long memoryBytes,
            @NotNull @Size(max = 64) List<@Valid @NotNull Gpu> gpus,
            @NotNull @Size(min = 1, max = 200) Set<@NotBlank @Size(max = 100) String> recipes,
            @Size(max = 32) String djlVersion,
            @Size(max = 32) String pytorchVersion,
            @Size(max = 64) String zone,
            @DecimalMin("1.0") @DecimalMax("3.0") Double pue,
            @Size(max = 8) Map<@NotBlank @Size(max = 16) String, @NotBlank @Size(max = 300) String> energyMethods) {}

    record RegisterResponse(UUID workerId, long heartbeatSeconds, long leaseSeconds) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RunProgress(int epoch, int epochs, double fraction, Long etaSeconds) {}

    /** @param energy the attempt's cumulative energy so far */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record HeldRun(@NotNull UUID runId, int attempt, RunProgress progress, @Valid EnergyReport energy) {}

    /** A runner session's energy outside runs, cumulative since the session began. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record IdleReport(@NotNull UUID session, @NotNull @Valid EnergyReport energy) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record HeartbeatRequest(boolean draining, @NotNull List<@Valid @NotNull HeldRun> runs, @Valid IdleReport idle) {}

    record HeartbeatResponse(List<UUID> cancel, List<UUID> lost) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ClaimRequest(@Min(0) @Max(64) int freeGpus, @Min(0) @Max(60) Integer waitSeconds) {}

    record DatasetDescription(
            String name, int version, String sha256, long sizeBytes, long rowCount, List<ColumnProfile> columns) {}

    /** A claimed run: everything the runner needs to train it. */
    record Assignment(
            UUID runId,
            int attempt,
            String name,
            String recipe,
            Map<String, Object> params,
            int gpus,
            DatasetDescription dataset,
            Integer checkpointEpoch) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record EpochReport(
            int attempt,
            @Min(1) int epoch,
            @Min(1) int epochs,
            @NotNull Map<String, Double> metrics,
            Long etaSeconds,
            boolean checkpoint,
            @Valid EnergyReport energy) {}

    record EpochResponse(boolean cancel) {}

    /** Ending messages carry the attempt's final energy reading. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record CompleteRequest(
            int attempt, @NotNull Map<String, Double> testMetrics, List<String> notes, @Valid EnergyReport energy) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record FailRequest(int attempt, @NotBlank @Size(max = 4000) String reason, @Valid EnergyReport energy) {}

    /** Why a runner stopped a run before its end. */
    enum StopReason {
        /** A cancel was asked for: the run ends KILLED. */
        CANCELLED,
        /** The runner is shutting down: the run goes back to the queue and resumes elsewhere. */
        DRAINING,
        /**
         * The runner cannot take the run for a reason of its own (a disk that cannot keep its cache's reserve free, a
         * work directory it cannot write): the run goes back to the queue at no cost of an attempt, and the runner
         * waits before it claims again.
         */
        UNFIT
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record StoppedRequest(int attempt, @NotNull StopReason reason, @Valid EnergyReport energy) {}

    record WorkerResponse(
            UUID id,
            String name,
            String state,
            UUID teamId,
            String host,
            String cpuModel,
            int cores,
            long memoryBytes,
            List<Gpu> gpus,
            Set<String> recipes,
            String djlVersion,
            String pytorchVersion,
            String zone,
            Double pue,
            Map<String, String> energyMethods,
            IdleEnergy idleEnergy,
            Instant registeredAt,
            Instant lastHeartbeatAt,
            List<UUID> currentRuns) {}
}
