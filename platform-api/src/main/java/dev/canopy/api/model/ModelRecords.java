package dev.canopy.api.model;

import dev.canopy.api.carbon.CarbonRecords.EmissionsView;
import dev.canopy.api.carbon.CarbonRecords.EnergyView;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

final class ModelRecords {

    private ModelRecords() {}

    /** A model; {@code aliases} maps each alias to its version number. */
    record ModelResponse(
            UUID id,
            String name,
            String description,
            Map<String, String> tags,
            Map<String, Integer> aliases,
            Instant createdAt,
            Integer latestVersion) {}

    /** {@code description}: null keeps it, "" clears it; {@code tags}: merged, a null value removes a tag. */
    record AnnotateRequest(@Size(max = 2000) String description, @Size(max = 50) Map<String, String> tags) {}

    record AliasRequest(@NotBlank @Size(max = 100) String version) {}

    record DatasetLineage(String name, int version, String sha256) {}

    /**
     * A version with its lineage: the run, the dataset version, the recipe and its parameters, test metrics, and the
     * energy and emissions of the run that produced it (all its attempts).
     */
    record VersionResponse(
            String model,
            int version,
            UUID runId,
            DatasetLineage dataset,
            String recipe,
            Map<String, Object> params,
            Map<String, Double> metrics,
            Map<String, Object> spec,
            String description,
            Map<String, String> tags,
            List<String> aliases,
            EnergyView energy,
            EmissionsView emissions,
            Instant createdAt) {}
}
