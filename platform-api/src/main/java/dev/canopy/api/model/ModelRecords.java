package dev.canopy.api.model;

import dev.canopy.api.carbon.CarbonRecords.EmissionsView;
import dev.canopy.api.carbon.CarbonRecords.EnergyView;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

final class ModelRecords {

    private ModelRecords() {}

    record ModelResponse(UUID id, String name, String description, Instant createdAt, Integer latestVersion) {}

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
            EnergyView energy,
            EmissionsView emissions,
            Instant createdAt) {}
}
