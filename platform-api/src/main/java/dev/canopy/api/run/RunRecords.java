package dev.canopy.api.run;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Request and response records of runs. */
final class RunRecords {

    private RunRecords() {}

    /** A dataset version a run reads; {@code version} may be a number or "latest". */
    record DatasetInput(@NotBlank String name, @NotBlank String version) {}

    /**
     * Creates a tracked run. Params and tags are string maps (numbers and booleans are turned into strings, as
     * in MLflow). The trained-run fields ({@code dataset}, {@code recipe}, ...) are refused by this server.
     */
    record CreateRunRequest(
            @NotBlank @Size(max = 200) String experiment,
            @Size(max = 200) String name,
            @Size(max = 1000) Map<String, String> params,
            @Size(max = 1000) Map<String, String> tags,
            @Size(max = 100) List<@Valid DatasetInput> inputs,
            DatasetInput dataset,
            String recipe) {}

    /** Changes a run: its status (tracked runs), tags (a null value deletes the tag), name. */
    record UpdateRunRequest(
            RunStatus status, @Size(max = 1000) Map<String, String> tags, @Size(max = 200) String name) {}

    record LogParamsRequest(@NotNull @Size(min = 1, max = 1000) Map<String, String> params) {}

    record SearchRunsRequest(
            @Size(max = 10_000) String filter,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> orderBy,
            @Min(1) @Max(1000) Integer pageSize,
            String pageToken) {}

    record InputResponse(String dataset, int version, String sha256) {}

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
            int priority,
            Map<String, Double> latestMetrics,
            String error) {}

    record RunPage(List<RunResponse> runs, String nextPageToken) {}
}
