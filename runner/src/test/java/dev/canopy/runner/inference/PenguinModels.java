package dev.canopy.runner.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.runner.recipe.Checkpoint;
import dev.canopy.runner.recipe.DatasetProfile;
import dev.canopy.runner.recipe.Penguins;
import dev.canopy.runner.recipe.Recipe;
import dev.canopy.runner.recipe.TrainingContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Small models trained on the penguins dataset for inference tests and benchmarks, and records to feed them. */
public final class PenguinModels {

    private static byte[] classifier;
    private static byte[] regressor;

    private PenguinModels() {}

    /** A species classifier trained for 5 epochs; trained once per JVM. */
    static synchronized byte[] classifier() throws Exception {
        if (classifier == null) {
            classifier = train("tabular-classification", "species");
        }
        return classifier;
    }

    /** A body-mass regressor trained for 5 epochs; trained once per JVM. */
    static synchronized byte[] regressor() throws Exception {
        if (regressor == null) {
            regressor = train("tabular-regression", "body_mass_g");
        }
        return regressor;
    }

    /**
     * The artifact with every numeric feature's standard deviation set to 0 in its spec: a version that answers NaN
     * for every record.
     */
    public static byte[] withZeroScales(byte[] archive) throws IOException {
        return withSpec(archive, spec -> {
            for (JsonNode feature : spec.get("features")) {
                if (feature.get("kind").asText().equals("NUMERIC")) {
                    ((ObjectNode) feature).put("std", 0.0);
                }
            }
        });
    }

    /** The artifact with its spec.json changed by {@code change}; the parameters as they were. */
    public static byte[] withSpec(byte[] archive, Consumer<ObjectNode> change) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (entry.getName().equals("spec.json")) {
                    ObjectNode spec = (ObjectNode) json.readTree(content);
                    change.accept(spec);
                    content = json.writeValueAsBytes(spec);
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(content);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** The first penguin of the dataset, as JSON would give it. */
    static Map<String, Object> adelie() {
        Map<String, Object> record = new HashMap<>();
        record.put("island", "Torgersen");
        record.put("bill_length_mm", 39.1);
        record.put("bill_depth_mm", 18.7);
        record.put("flipper_length_mm", 181);
        record.put("body_mass_g", 3750);
        record.put("sex", "MALE");
        return record;
    }

    /** {@code count} different penguins: {@link #adelie()} with flipper lengths 170, 171, … and bills to match. */
    static List<Map<String, Object>> penguins(int count) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> record = adelie();
            record.put("flipper_length_mm", 170 + i % 60);
            record.put("bill_length_mm", 35.0 + (i % 40) * 0.5);
            record.put("island", List.of("Torgersen", "Biscoe", "Dream").get(i % 3));
            records.add(record);
        }
        return records;
    }

    private static byte[] train(String recipeName, String label) throws Exception {
        return train(recipeName, Map.of("label", label, "epochs", 5), Penguins.csv(), Penguins.PROFILE);
    }

    /** A model of recipe {@code recipeName} trained on {@code csv} (profiled as {@code profile}). */
    static byte[] train(String recipeName, Map<String, Object> params, Path csv, DatasetProfile profile)
            throws Exception {
        Recipe recipe = ServiceLoader.load(Recipe.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(r -> r.name().equals(recipeName))
                .findFirst()
                .orElseThrow();
        Map<String, Object> resolved = recipe.validate(params, profile).resolvedParams();
        return recipe.train(new QuietContext(resolved, csv, profile)).model();
    }

    /** A context that only supplies the dataset. */
    private record QuietContext(Map<String, Object> params, Path dataset, DatasetProfile profile)
            implements TrainingContext {

        @Override
        public int gpus() {
            return 0;
        }

        @Override
        public Optional<Checkpoint> checkpoint() {
            return Optional.empty();
        }

        @Override
        public void epochFinished(int epoch, int epochs, Map<String, Double> metrics, byte[] checkpoint) {}

        @Override
        public void progress(int epoch, int epochs, double fractionOfRun) {}
    }
}
