package dev.canopy.api.endpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.canopy.runner.inference.TabularModel.Prediction;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

final class EndpointRecords {

    private EndpointRecords() {}

    record CreateEndpointRequest(
            @NotBlank
                    @Size(max = 100)
                    @Pattern(
                            regexp = "[a-z0-9][a-z0-9_-]*",
                            message = "must be lower-case" + " letters, digits, '-' or '_'")
                    String name,
            @NotBlank @Size(max = 100) String model,
            EndpointBatching batching) {}

    /**
     * Puts {@code version} (number, "latest" or alias) on the endpoint through {@code gates}; with {@code
     * canaryPercent} it first answers that share of requests next to the live version, under {@code canary}'s
     * policy (defaults: {@link CanaryPolicy#DEFAULT}); with {@code shadow} true it only sees copies of the requests,
     * its answers compared with the live ones and never returned.
     */
    record PromotionRequest(
            @NotBlank @Size(max = 100) String version,
            @Valid @Size(max = 20) List<GateSpec> gates,
            @Min(1) @Max(99) Integer canaryPercent,
            CanaryRequest canary,
            Boolean shadow,
            @Size(max = 2000) String reason) {}

    record CanaryRequest(
            Integer minRequests, Integer completeAfter, Double maxErrorRateIncrease, Double maxP99Increase) {}

    record RollbackRequest(@Size(max = 2000) String reason) {}

    /** {@code status}: EMPTY (nothing promoted), LIVE, or CANARY. */
    record EndpointResponse(
            String name,
            String model,
            String status,
            Integer liveVersion,
            Integer previousVersion,
            CanaryView canary,
            ShadowView shadow,
            List<VersionServing> serving,
            BatchingView batching,
            Instant createdAt,
            Instant updatedAt) {}

    record CanaryView(int version, int percent, CanaryPolicy policy, CanaryTraffic traffic) {}

    /**
     * What the canary policy sees: requests, errors and p99 latency (ms, inside the control plane) of the live
     * version and of the canary since the canary started, summed over the control planes that served them ({@code
     * controlPlanes}); null when it could not be read.
     */
    record CanaryTraffic(
            int controlPlanes,
            long liveRequests,
            long liveErrors,
            double liveP99Ms,
            long canaryRequests,
            long canaryErrors,
            double canaryP99Ms) {}

    /**
     * The micro-batching the endpoint's requests are served with; {@code setOnEndpoint} names the fields the
     * endpoint sets, the others are the platform's defaults.
     */
    record BatchingView(boolean enabled, int maxBatchRecords, double maxWaitMs, List<String> setOnEndpoint) {}

    /**
     * The shadow and how its answers compare: copies sent, dropped (the shadow fell behind), failed; predictions
     * compared, of which agreed and disagreed (labels) or the mean absolute difference (regression values). Summed
     * over control planes like {@link VersionServing}: {@code allControlPlanes} is false when only the answering
     * one's could be read.
     */
    record ShadowView(
            int version,
            long copies,
            long dropped,
            long errors,
            long compared,
            long agreed,
            long disagreed,
            Double meanAbsoluteDifference,
            Latency latencyMs,
            boolean allControlPlanes) {}

    /**
     * An audit record: a promotion (with its gate results), a canary's start or end, a rollback, or a change of the
     * endpoint's micro-batching.
     */
    record EventResponse(
            UUID id,
            String kind,
            Integer fromVersion,
            Integer toVersion,
            List<GateResult> gates,
            String actor,
            String reason,
            Instant at) {}

    record PredictRequest(@NotNull List<Map<String, Object>> records) {}

    /**
     * @param ignoredColumns columns of the records the model does not know (a misspelt feature, say), which it
     *     ignored; left out when there are none
     */
    record PredictResponse(
            String model,
            int modelVersion,
            List<Prediction> predictions,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> ignoredColumns) {}

    /**
     * What one version has served on this endpoint, summed over control planes (those that stopped included; other
     * control planes' counts are up to a second old): requests that succeeded or failed on the server ({@code
     * errors}), refused as invalid ({@code rejected}), predictions, and latency in ms inside the control plane.
     * {@code allControlPlanes} is false when only this control plane's counts could be read. Energy per 1,000
     * predictions is the version's over every control plane that served it, on any endpoint ({@link ServingEnergy}).
     */
    record VersionServing(
            int version,
            String role,
            long requests,
            long errors,
            long rejected,
            long predictions,
            Latency latencyMs,
            boolean allControlPlanes,
            ServingEnergy perThousandPredictions) {}

    record Latency(double p50, double p95, double p99) {}
}
