package dev.canopy.api.run;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trained run to launch later (by a schedule): the fields of a trained-run request. The dataset's version is
 * resolved when the run is launched, so {@code "latest"} picks up the newest data. GPUs are {@code gpus} or, as in a
 * run request, {@code resources.gpus}.
 */
public record RunTemplate(
        @NotBlank @Size(max = 200) String experiment,
        @Size(max = 200) String name,
        @NotNull @Valid Dataset dataset,
        @NotBlank @Size(max = 100) String recipe,
        Map<String, Object> params,
        @Min(0) @Max(64) Integer gpus,
        @Valid RunRecords.Resources resources,
        @Min(-1000) @Max(1000) Integer priority,
        @Min(1) @Max(100) Integer maxAttempts,
        @Pattern(regexp = RunRecords.MODEL_NAME_REGEX, message = RunRecords.MODEL_NAME_RULE) String registerAs,
        Map<String, String> tags) {

    /** @param version a number, or "latest" (the default) */
    public record Dataset(@NotBlank String name, String version) {}

    /** Whether it trains on the latest version of its dataset when it fires, rather than a fixed one. */
    public boolean trainsLatest() {
        return dataset.version() == null || dataset.version().equals("latest");
    }

    /** The same template on a fixed version of its dataset. */
    public RunTemplate atVersion(int version) {
        return new RunTemplate(
                experiment,
                name,
                new Dataset(dataset.name(), String.valueOf(version)),
                recipe,
                params,
                gpus,
                resources,
                priority,
                maxAttempts,
                registerAs,
                tags);
    }

    RunRecords.CreateRunRequest toRequest(Map<String, String> extraTags) {
        Map<String, String> allTags = new TreeMap<>(tags == null ? Map.of() : tags);
        allTags.putAll(extraTags);
        return new RunRecords.CreateRunRequest(
                experiment,
                name,
                params,
                allTags,
                null,
                new RunRecords.DatasetInput(dataset.name(), dataset.version() == null ? "latest" : dataset.version()),
                recipe,
                resources,
                gpus,
                priority,
                maxAttempts,
                registerAs);
    }
}
