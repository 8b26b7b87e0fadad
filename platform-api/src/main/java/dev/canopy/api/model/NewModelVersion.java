package dev.canopy.api.model;

import java.util.Map;
import java.util.UUID;

/** What a finished trained run hands over to become a model version. */
public record NewModelVersion(
        UUID teamId,
        String model,
        UUID runId,
        UUID datasetVersionId,
        String recipe,
        Map<String, Object> params,
        Map<String, Double> metrics,
        String artifactKey,
        Map<String, Object> spec) {}
