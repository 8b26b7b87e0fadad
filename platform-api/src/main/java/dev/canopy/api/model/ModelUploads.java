package dev.canopy.api.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.artifact.ArtifactStore;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.model.ModelRecords.VersionResponse;
import dev.canopy.api.run.Keys;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.ModelArtifact;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.TabularModel;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
        ModelSpec spec;
        try (TabularModel loaded = TabularModel.load(archive)) {
            spec = loaded.spec();
            // Loading checks the spec and the parameters' shapes; one forward pass (a record with every feature
            // missing, as the warm-up of serving runs) shows anything else that keeps it from running, now rather
            // than at promotion.
            loaded.predict(List.of(Map.of()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("archive", e.getMessage());
        } catch (InvalidRecord | RuntimeException e) {
            throw new InvalidRequest("archive", "the model does not run on its own spec: " + e.getMessage());
        }
        // What was checked, and nothing else the zip carried (a comment, bytes after its end).
        byte[] stored = ModelArtifact.canonical(archive);
        String key = "models/" + scope.teamId() + "/uploads/" + sha256(stored) + ".zip";
        NewModelVersion upload = new NewModelVersion(
                scope.teamId(),
                model,
                null,
                null,
                spec.recipe() == null ? "uploaded" : spec.recipe(),
                spec.trainingParams() == null ? Map.of() : spec.trainingParams(),
                metrics,
                key,
                json.convertValue(spec, new TypeReference<Map<String, Object>>() {}));
        VersionName version;
        try (ArtifactStore.Staged staged = store.stage()) {
            staged.output().write(stored);
            version = QuarkusTransaction.requiringNew().call(() -> {
                // The archive took a while to arrive and to check: a token revoked, or a member removed, meanwhile
                // registers nothing (as for dataset uploads).
                access.recheckWrite(scope);
                VersionName registered = registry.register(upload);
                // Last, so that a refusal (the recheck, a spec the database cannot store) leaves no file behind; a
                // failed commit after it leaves one that nothing points at, under the archive's hash.
                try {
                    staged.commit(key);
                } catch (IOException e) {
                    // Unchecked, as the other failures here: a checked one came out wrapped by the transaction.
                    throw new UncheckedIOException(e);
                }
                return registered;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return registry.version(team, model, String.valueOf(version.version()));
    }

    /**
     * The {@code Canopy-Metrics} header: one JSON object of metric names ({@link Keys#RULE}, each once) to finite
     * numbers, and nothing after it. HTTP hands header values over byte for byte as ISO-8859-1, so
     * UTF-8 text (a name such as "café") is decoded again as UTF-8 when it is valid UTF-8.
     */
    private Map<String, Double> metrics(String header) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        Map<String, Object> given;
        try {
            // Read as they are, so that a string ("0.9") is refused rather than turned into a number.
            given = json.readerFor(new TypeReference<LinkedHashMap<String, Object>>() {})
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .withFeatures(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .readValue(asUtf8(header));
        } catch (IOException e) {
            throw new InvalidRequest(
                    "Canopy-Metrics", "must be one JSON object of metric names to numbers, each name once");
        }
        if (given == null) {
            throw new InvalidRequest(
                    "Canopy-Metrics", "must be one JSON object of metric names to numbers, each name once");
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, Object> metric : given.entrySet()) {
            if (!Keys.valid(metric.getKey())) {
                throw new InvalidRequest("Canopy-Metrics", "metric names must be " + Keys.RULE);
            }
            if (!(metric.getValue() instanceof Number number) || !Double.isFinite(number.doubleValue())) {
                throw new InvalidRequest("Canopy-Metrics", "metric '" + metric.getKey() + "' must be a finite number");
            }
            metrics.put(metric.getKey(), number.doubleValue());
        }
        return metrics;
    }

    private static String asUtf8(String header) {
        if (header.chars().anyMatch(c -> c > 0xFF)) {
            return header;
        }
        byte[] bytes = header.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            // Not UTF-8: ISO-8859-1 text, as it came.
            return header;
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
