package dev.canopy.api.model;

import java.util.Map;
import java.util.UUID;

/** A model version as other features see it: which it is, its test metrics and where its artifact lies. */
public record RegisteredVersion(
        UUID id, UUID modelId, String model, int version, Map<String, Double> metrics, String artifactKey) {

    static RegisteredVersion from(ModelVersion v) {
        return new RegisteredVersion(v.id, v.model.id, v.model.name, v.version, Map.copyOf(v.metrics), v.artifactKey);
    }

    /** "model:version", for messages and metrics. */
    public String label() {
        return model + ":" + version;
    }
}
