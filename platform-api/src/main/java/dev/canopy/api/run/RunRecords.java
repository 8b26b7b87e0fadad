package dev.canopy.api.run;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.canopy.api.carbon.CarbonRecords.EmissionsView;
import dev.canopy.api.carbon.CarbonRecords.EnergyView;
import dev.canopy.api.carbon.CarbonRecords.Forecast;
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

/** Request and response records of runs. */
final class RunRecords {

    private RunRecords() {}

    /** What a model may be called (registerAs), as the registry's upload takes it. */
    static final String MODEL_NAME_REGEX = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}";

    static final java.util.regex.Pattern MODEL_NAME = java.util.regex.Pattern.compile(MODEL_NAME_REGEX);
    static final String MODEL_NAME_RULE = "must be a model name: 1-100 letters, digits, '.', '_' or '-'";

    /** A dataset version a run reads; {@code version} may be a number or "latest". */
    record DatasetInput(@NotBlank String name, @NotBlank String version) {}

    /**
     * Creates a run. Without a recipe it is tracked (logged from outside, like MLflow) and starts RUNNING; params
     * are then a string map (numbers and booleans become strings). With a recipe and a dataset it is trained by
     * Canopy: params are the recipe's (typed JSON), and the run waits QUEUED for a runner. GPUs are
     * {@code resources.gpus} or, as in a run template, {@code gpus}; not both.
     */
    record CreateRunRequest(
            @NotBlank @Size(max = 200) String experiment,
            @Size(max = 200) String name,
            @Size(max = 1000) Map<String, Object> params,
            @Size(max = 1000) Map<String, String> tags,
            @Size(max = 100) List<@Valid @NotNull DatasetInput> inputs,
            @Valid DatasetInput dataset,
            @Size(max = 100) String recipe,
            @Valid Resources resources,
            @Min(0) @Max(64) Integer gpus,
            @Min(-1000) @Max(1000) Integer priority,
            @Min(1) @Max(100) Integer maxAttempts,
            @Pattern(regexp = MODEL_NAME_REGEX, message = MODEL_NAME_RULE) String registerAs) {

        /** The GPUs the run needs, however given; 0 when not given. */
        int gpuCount() {
            if (gpus != null) {
                return gpus;
            }
            return resources == null || resources.gpus() == null ? 0 : resources.gpus();
        }
    }

    /** @param gpus GPUs the run needs; 0 runs anywhere, N only on a runner with N free GPUs */
    record Resources(@Min(0) @Max(64) Integer gpus) {}

    /** Changes a run: its status (tracked runs), tags (a null value deletes the tag), name. */
    record UpdateRunRequest(
            RunStatus status, @Size(max = 1000) Map<String, String> tags, @Size(max = 200) String name) {}

    record LogParamsRequest(@NotNull @Size(min = 1, max = 1000) Map<String, String> params) {}

    record SearchRunsRequest(
            @Size(max = 10_000) String filter,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> orderBy,
            @Min(1) @Max(1000) Integer pageSize,
            String pageToken) {}

    /**
     * The dataset version a run trains on, as a run request names it ({@code name}, {@code version}) and as model
     * versions show it; {@code dataset} is the name again, as earlier clients read it.
     */
    record InputResponse(String name, String dataset, int version, String sha256) {}

    record RunResponse(
            UUID id,
            String experiment,
            String name,
            RunStatus status,
            RunKind kind,
            String recipe,
            Map<String, String> params,
            Map<String, String> tags,
            InputResponse dataset,
            List<InputResponse> inputs,
            Instant createdAt,
            Instant startedAt,
            Instant endedAt,
            int attempt,
            Integer maxAttempts,
            int priority,
            Integer gpus,
            RunProgress progress,
            List<String> notes,
            ModelVersionRef modelVersion,
            Map<String, Double> latestMetrics,
            String error,
            List<String> warnings,
            EnergyView energy,
            EmissionsView emissions,
            Forecast forecast) {}

    /** The model version a trained run registered. */
    record ModelVersionRef(String model, int version) {}

    record RunPage(List<RunResponse> runs, String nextPageToken) {}
}
