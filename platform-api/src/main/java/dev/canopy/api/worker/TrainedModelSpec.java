package dev.canopy.api.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.runner.inference.ModelArtifact;
import dev.canopy.runner.inference.TabularModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The spec a trained run's model registers with. */
final class TrainedModelSpec {

    private TrainedModelSpec() {}

    /**
     * The spec read from the model's artifact: one of the built-in recipes' must load as it will be served (its spec
     * checked, its parameters fitting it; else 400 and nothing is registered). A recipe of the team's own may store a
     * format of its own, without a spec.
     */
    static Map<String, Object> of(ArtifactStore store, ObjectMapper json, String modelKey) {
        byte[] artifact;
        try {
            // Looked for as a stream first: another format (up to canopy.runners.max-artifact-size) is not read whole.
            if (!ModelArtifact.hasSpec(store.open(modelKey))) {
                return Map.of();
            }
            try (InputStream in = store.open(modelKey)) {
                artifact = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (TabularModel model = TabularModel.load(artifact)) {
            return json.convertValue(model.spec(), new TypeReference<Map<String, Object>>() {});
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("model", "the trained model cannot be served: " + e.getMessage());
        }
    }
}
