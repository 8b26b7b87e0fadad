package dev.canopy.api.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.model.ModelRecords.VersionResponse;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.TabularModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Versions uploaded as model archives (the zip a trained run produces: DJL parameters and {@code spec.json})
 * rather than trained here. The archive must load; its test metrics are what the uploader states.
 */
@ApplicationScoped
class ModelUploads {

    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    @Inject
    ModelService registry;

    @Inject
    ArtifactStore store;

    @Inject
    TeamAccess access;

    @Inject
    ObjectMapper json;

    /** {@code metricsHeader}: the uploader's test metrics as a JSON object, or null. */
    VersionResponse upload(String team, String model, byte[] archive, String metricsHeader) {
        TeamScope scope = access.write(team);
        Map<String, Double> metrics = metrics(metricsHeader);
        if (!MODEL_NAME.matcher(model).matches()) {
            throw new InvalidRequest("model", "must be a model name: 1-100 letters, digits, '.', '_' or '-'");
        }
        if (metrics.values().stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
            throw new InvalidRequest("metrics", "values must be finite numbers");
        }
        ModelSpec spec;
        try (TabularModel loaded = TabularModel.load(archive)) {
            spec = loaded.spec();
            // Parameters that do not fit the spec's network load without complaint: one forward pass (a record
            // with every feature missing, as the warm-up of serving runs) shows it now rather than at promotion.
            loaded.predict(List.of(Map.of()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("archive", e.getMessage());
        } catch (InvalidRecord | RuntimeException e) {
            throw new InvalidRequest("archive", "the model does not run on its own spec: " + e.getMessage());
        }
        String key = "models/" + scope.teamId() + "/uploads/" + sha256(archive) + ".zip";
        try (ArtifactStore.Staged staged = store.stage()) {
            staged.output().write(archive);
            staged.commit(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        VersionName version = registry.register(new NewModelVersion(
                scope.teamId(),
                model,
                null,
                null,
                spec.recipe() == null ? "uploaded" : spec.recipe(),
                spec.trainingParams() == null ? Map.of() : spec.trainingParams(),
                metrics,
                key,
                json.convertValue(spec, new TypeReference<Map<String, Object>>() {})));
        return registry.version(team, model, String.valueOf(version.version()));
    }

    private Map<String, Double> metrics(String header) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(header, new TypeReference<Map<String, Double>>() {});
        } catch (IOException e) {
            throw new InvalidRequest("Canopy-Metrics", "must be a JSON object of metric names to numbers");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
