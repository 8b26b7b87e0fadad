package dev.canopy.api.model;

import java.util.Map;
import java.util.UUID;

/**
 * A model version as other features see it: which it is, its test metrics, where its artifact lies, and its task
 * ({@code CLASSIFICATION} or {@code REGRESSION}, from its spec; null when the spec does not say), and the dataset
 * version it was trained on (null for an uploaded version).
 */
public record RegisteredVersion(
        UUID id,
        UUID modelId,
        String model,
        int version,
        Map<String, Double> metrics,
        String artifactKey,
        String task,
        UUID trainedOn) {

    static RegisteredVersion from(ModelVersion v) {
        Object task = v.spec == null ? null : v.spec.get("task");
        return new RegisteredVersion(
                v.id,
                v.model.id,
                v.model.name,
                v.version,
                Map.copyOf(v.metrics),
                v.artifactKey,
                task == null ? null : task.toString(),
                v.datasetVersionId);
    }

    /** "model:version", for messages and metrics. */
    public String label() {
        return model + ":" + version;
    }
}
