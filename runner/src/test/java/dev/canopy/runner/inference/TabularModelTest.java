package dev.canopy.runner.inference;

import static dev.canopy.runner.inference.PenguinModels.adelie;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.runner.inference.TabularModel.Prediction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TabularModelTest {

    private static TabularModel classifier;
    private static TabularModel regressor;

    @BeforeAll
    static void trainPenguinModels() throws Exception {
        classifier = TabularModel.load(PenguinModels.classifier());
        regressor = TabularModel.load(PenguinModels.regressor());
    }

    @AfterAll
    static void closeModels() {
        classifier.close();
        regressor.close();
    }

    @Test
    void classifiesWithALabelAndProbabilitiesOverTheVocabulary() throws Exception {
        Prediction prediction = classifier.predict(List.of(adelie())).get(0);

        assertThat(prediction.probabilities()).containsOnlyKeys("Adelie", "Chinstrap", "Gentoo");
        assertThat(prediction.probabilities().values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum())
                .isCloseTo(1.0, within(1e-12));
        double highest = prediction.probabilities().values().stream()
                .mapToDouble(Double::doubleValue)
                .max()
                .orElseThrow();
        assertThat(prediction.probabilities()).containsEntry(prediction.label(), highest);
        assertThat(prediction.value()).isNull();
    }

    @Test
    void regressesWithAValueOnTheLabelScale() throws Exception {
        Prediction prediction = regressor.predict(List.of(adelie())).get(0);

        assertThat(prediction.value()).isBetween(2000.0, 7000.0);
        assertThat(prediction.label()).isNull();
        assertThat(prediction.probabilities()).isNull();
    }

    @Test
    void predictsAnUnseenCategoryLikeAMissingOneInTheUnknownSlot() throws Exception {
        Map<String, Object> unseen = adelie();
        unseen.put("island", "Atlantis");
        Map<String, Object> missing = adelie();
        missing.put("island", null);

        assertThat(predictOne(classifier, unseen)).isEqualTo(predictOne(classifier, missing));
    }

    @Test
    void imputesAMissingNumberWhetherNullAMissingTokenOrAnAbsentKey() throws Exception {
        Map<String, Object> asNull = adelie();
        asNull.put("bill_length_mm", null);
        Map<String, Object> asToken = adelie();
        asToken.put("bill_length_mm", "NA");
        Map<String, Object> absent = adelie();
        absent.remove("bill_length_mm");

        Prediction expected = predictOne(regressor, asNull);

        assertThat(expected.value()).isNotNull();
        assertThat(predictOne(regressor, asToken)).isEqualTo(expected);
        assertThat(predictOne(regressor, absent)).isEqualTo(expected);
    }

    @Test
    void rejectsANonNumberForANumericFeatureNamingTheField() {
        Map<String, Object> record = adelie();
        record.put("bill_length_mm", "abc");

        assertThatThrownBy(() -> classifier.predict(List.of(adelie(), record)))
                .isInstanceOfSatisfying(InvalidRecord.class, e -> {
                    assertThat(e.field()).isEqualTo("bill_length_mm");
                    assertThat(e.problem()).isEqualTo("must be a number, got 'abc'");
                });
    }

    @Test
    void ignoresKeysThatAreNotFeatures() throws Exception {
        Map<String, Object> withExtras = adelie();
        withExtras.put("species", "Gentoo");
        withExtras.put("comment", "seen twice");

        assertThat(predictOne(classifier, withExtras)).isEqualTo(predictOne(classifier, adelie()));
    }

    @Test
    void givesConcurrentCallersTheSamePredictionsAsOneCaller() throws Exception {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Map<String, Object> record = adelie();
            record.put("flipper_length_mm", 170 + i);
            records.add(record);
        }
        List<Prediction> expected = classifier.predict(records);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Prediction>>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(threads.submit(() -> classifier.predict(records)));
            }
            for (Future<List<Prediction>> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            threads.shutdown();
        }
    }

    @Test
    void predictsMoreRecordsThanOneForwardPassTakes() throws Exception {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < TabularModel.MAX_ROWS_PER_FORWARD * 2 + 1; i++) {
            records.add(adelie());
        }

        assertThat(classifier.predict(records)).hasSize(records.size());
    }

    @Test
    void rejectsBytesThatAreNotAnArtifact() {
        assertThatThrownBy(() -> TabularModel.load(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a model artifact: it needs spec.json and a .params file");
    }

    @Test
    void refusesParametersOfAnotherNetworkThanItsSpecDescribes() throws Exception {
        byte[] artifact = PenguinModels.classifier();
        List<Integer> trained = classifier.spec().hiddenLayers();
        List<Integer> deeper = new ArrayList<>(trained);
        deeper.add(8);
        // Loading alone took these: [8] then answered ten predictions for one record.
        for (List<Integer> layers : List.of(List.of(8), List.of(trained.get(0)), deeper)) {
            byte[] mislabelled = PenguinModels.withSpec(artifact, spec -> {
                ArrayNode hidden = spec.putArray("hiddenLayers");
                layers.forEach(hidden::add);
            });
            assertThatThrownBy(() -> TabularModel.load(mislabelled))
                    .as("hiddenLayers %s", layers)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("model artifact could not be loaded: ")
                    .hasMessageContaining("hiddenLayers " + layers);
        }
        // Fewer layers and as many classes as the dropped layer had units: every shape read fits, the rest is unread.
        byte[] truncated = PenguinModels.withSpec(artifact, spec -> {
            spec.putArray("hiddenLayers").add(trained.get(0));
            ArrayNode classes = spec.putArray("labelVocabulary");
            for (int c = 0; c < trained.get(1); c++) {
                classes.add("c" + c);
            }
        });
        assertThatThrownBy(() -> TabularModel.load(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes more than the parameters of the network spec.json describes");
        byte[] moreClasses =
                PenguinModels.withSpec(artifact, spec -> ((ArrayNode) spec.get("labelVocabulary")).add("Emperor"));
        assertThatThrownBy(() -> TabularModel.load(moreClasses))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 outputs");
        try (TabularModel same = TabularModel.load(PenguinModels.withSpec(artifact, spec -> {}))) {
            assertThat(same.predict(List.of(adelie()))).hasSize(1);
        }
    }

    /**
     * DJL allocates the sizes a parameter file names before reading them: a few bytes changed asked for gigabytes
     * (here an input's number of dimensions in the header, then a weight's), and the OutOfMemoryError escaped every
     * check. Each is refused before DJL reads the file.
     */
    @Test
    void refusesAParameterFileNamingSizesItsNetworkDoesNotHave() throws Exception {
        byte[] artifact = PenguinModels.classifier();
        byte[] parameters = ModelArtifact.read(artifact).parameters();
        ModelSpec spec = classifier.spec();
        // Header: DJL@, version, name, data type, input count, the first input's name, then its number of dimensions.
        ByteBuffer header = ByteBuffer.wrap(parameters);
        header.position(8);
        for (int text = 0; text < 2; text++) {
            header.position(header.position() + 2 + header.getShort());
        }
        header.getInt();
        header.position(header.position() + 2 + header.getShort());
        int inputDimensions = header.position();
        // The first weight's shape: 2 dimensions, (units, inputs).
        ByteBuffer shape = ByteBuffer.allocate(20)
                .putInt(2)
                .putLong(spec.hiddenLayers().get(0))
                .putLong(spec.inputSize());
        int weightDimensions = indexOf(parameters, shape.array());
        assertThat(weightDimensions).isGreaterThan(inputDimensions);

        for (int at : new int[] {inputDimensions, weightDimensions}) {
            byte[] patched = parameters.clone();
            ByteBuffer.wrap(patched).putInt(at, Integer.MAX_VALUE - 8);
            byte[] huge = withEntry(artifact, name -> name.endsWith(".params"), patched);
            assertThatThrownBy(() -> TabularModel.load(huge))
                    .as("dimensions at byte %d", at)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("model artifact could not be loaded: ")
                    .hasMessageContaining(at == inputDimensions ? "which no model has" : "not shaped as");
        }
    }

    /**
     * The archive is served back for download as stored: a parameter file whose name is not a plain file name is
     * stored under a fixed one, so that no name is a path for a careless unzip (models stored before still load);
     * a plain name is kept, and a name that is no .params file at all is refused.
     */
    @Test
    void storesAnUploadedParameterFileUnderAFixedName() throws Exception {
        byte[] artifact = PenguinModels.classifier();
        for (String name : List.of("..\\..\\x.params", "C:x.params", ".params")) {
            ByteArrayOutputStream renamed = new ByteArrayOutputStream();
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(artifact));
                    ZipOutputStream zip = new ZipOutputStream(renamed)) {
                for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(entry.getName().endsWith(".params") ? name : entry.getName()));
                    zip.write(in.readAllBytes());
                }
            }
            List<String> stored = new ArrayList<>();
            try (ZipInputStream in =
                    new ZipInputStream(new ByteArrayInputStream(ModelArtifact.canonical(renamed.toByteArray())))) {
                for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    stored.add(entry.getName());
                }
            }
            assertThat(stored).as(name).containsExactlyInAnyOrder("spec.json", ModelArtifact.STORED_PARAMS_ENTRY);
            try (TabularModel loaded = TabularModel.load(renamed.toByteArray())) {
                assertThat(loaded.predict(List.of(adelie()))).hasSize(1);
            }
        }
        List<String> plain = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(ModelArtifact.canonical(artifact)))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                plain.add(entry.getName());
            }
        }
        assertThat(plain).contains("tabular-0000.params");
        // An artifact as the runner writes it is stored byte for byte as it came.
        assertThat(ModelArtifact.canonical(artifact)).isEqualTo(artifact);
        ByteArrayOutputStream nul = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(artifact));
                ZipOutputStream zip = new ZipOutputStream(nul)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(
                        new ZipEntry(entry.getName().endsWith(".params") ? "x.params\u0000" : entry.getName()));
                zip.write(in.readAllBytes());
            }
        }
        assertThatThrownBy(() -> TabularModel.load(nul.toByteArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.json and one .params file");
    }

    /** An archive built with DJL elsewhere may initialise its network for any batch size (DJL sizes nothing by it). */
    @Test
    void loadsParametersOfANetworkInitialisedForAnotherBatchSize() throws Exception {
        ModelSpec spec = classifier.spec();
        for (int batch : new int[] {32, 256, 1 << 20}) {
            try (Model model = Model.newInstance("tabular", Device.cpu())) {
                model.setBlock(MlpBlock.build(spec));
                model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(batch, spec.inputSize()));
                try (TabularModel loaded = TabularModel.load(ModelArtifact.write(spec, model))) {
                    assertThat(loaded.predict(List.of(adelie())))
                            .as("batch %d", batch)
                            .hasSize(1);
                }
            }
        }
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    /** The archive with the entries {@code which} names holding {@code content} instead. */
    private static byte[] withEntry(byte[] archive, Predicate<String> which, byte[] content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(which.test(entry.getName()) ? content : in.readAllBytes());
            }
        }
        return out.toByteArray();
    }

    @Test
    void refusesASpecThatCouldNotBeServed() throws Exception {
        byte[] artifact = PenguinModels.classifier();
        Map<String, Consumer<ObjectNode>> broken = new LinkedHashMap<>();
        broken.put("std -1", spec -> numeric(spec).put("std", -1.0));
        broken.put("std Infinity", spec -> numeric(spec).put("std", "Infinity"));
        broken.put("mean NaN", spec -> numeric(spec).put("mean", "NaN"));
        broken.put("a class twice", spec -> ((ArrayNode) spec.get("labelVocabulary")).set(1, "Adelie"));
        broken.put("a feature twice", spec -> ((ArrayNode) spec.get("features"))
                .add(spec.get("features").get(0)));
        broken.put("inputSize 99", spec -> spec.put("inputSize", 99));
        broken.put("dropout 1", spec -> spec.put("dropout", 1.0));
        broken.put("a layer of 0 units", spec -> spec.putArray("hiddenLayers").add(0));
        broken.put("no features", spec -> spec.remove("features"));
        broken.put("an unknown field", spec -> spec.put("bogus", 1));
        broken.put("a fraction for inputSize", spec -> spec.put("inputSize", 16.5));
        broken.put("a task of no kind", spec -> spec.put("task", "CLUSTERING"));
        broken.put("a recipe of 101 characters", spec -> spec.put("recipe", "r".repeat(101)));
        broken.put("no label", spec -> spec.putNull("label"));
        broken.put("std null (read as 0 before)", spec -> numeric(spec).putNull("std"));
        broken.put("std as text", spec -> numeric(spec).put("std", "1.0"));
        broken.put("a number for text", spec -> spec.put("label", 36));
        for (Map.Entry<String, Consumer<ObjectNode>> change : broken.entrySet()) {
            byte[] edited = PenguinModels.withSpec(artifact, change.getValue());
            assertThatThrownBy(() -> TabularModel.load(edited))
                    .as(change.getKey())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("spec.json: ")
                    .hasMessageNotContaining("dev.canopy")
                    .hasMessageNotContaining("`");
        }
        byte[] nanLabel = PenguinModels.withSpec(PenguinModels.regressor(), spec -> spec.put("labelMean", "NaN"));
        assertThatThrownBy(() -> TabularModel.load(nanLabel))
                .hasMessage("spec.json: labelMean and labelStd must be finite and labelStd not negative");
    }

    /** The spec's first numeric feature. */
    private static ObjectNode numeric(ObjectNode spec) {
        for (JsonNode feature : spec.get("features")) {
            if (feature.get("kind").asText().equals("NUMERIC")) {
                return (ObjectNode) feature;
            }
        }
        throw new IllegalStateException("no numeric feature");
    }

    @Test
    void refusesAnArtifactThatExpandsFarBeyondItsSize() throws Exception {
        // 64 MiB of zeros in a .params entry: a zip of about 64 KiB.
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bomb)) {
            zip.putNextEntry(new ZipEntry("tabular-0001.params"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                zip.write(zeros);
            }
            zip.putNextEntry(new ZipEntry("spec.json"));
            zip.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(bomb.size()).isLessThan(1 << 20);
        assertThatThrownBy(() -> TabularModel.load(bomb.toByteArray()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expand to more than");
        // A real artifact stays far inside the limit.
        byte[] artifact = PenguinModels.classifier();
        assertThat(ModelArtifact.read(artifact).parameters().length + 4096L)
                .isLessThan(ModelArtifact.expansionLimit(artifact.length));
    }

    /** Entries are read in 1 MiB chunks: one of several chunks and a part comes back whole, byte for byte. */
    @Test
    void readsAParameterFileOfSeveralChunksWhole() throws Exception {
        byte[] artifact = PenguinModels.classifier();
        byte[] parameters = new byte[(5 << 19) + 3];
        new Random(7).nextBytes(parameters);
        ByteArrayOutputStream large = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(artifact));
                ZipOutputStream zip = new ZipOutputStream(large)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(entry.getName().endsWith(".params") ? parameters : in.readAllBytes());
            }
        }

        assertThat(ModelArtifact.read(large.toByteArray()).parameters()).isEqualTo(parameters);
    }

    @Test
    void refusesAnArtifactHoldingAnythingButItsSpecAndOneParameterFile() throws Exception {
        byte[] artifact = PenguinModels.classifier();
        Map<String, String> extras = Map.of(
                "pad.bin", "'pad.bin'",
                "sub/spec.json", "'sub/spec.json'",
                "sub/tabular-0002.params", "'sub/tabular-0002.params'",
                "tabular-0002.params", "'tabular-0002.params'");
        for (Map.Entry<String, String> extra : extras.entrySet()) {
            ByteArrayOutputStream more = new ByteArrayOutputStream();
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(artifact));
                    ZipOutputStream zip = new ZipOutputStream(more)) {
                for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    zip.putNextEntry(new ZipEntry(entry.getName()));
                    zip.write(in.readAllBytes());
                }
                // Zeros compress to nearly nothing: entries like this one, stored unread, could be any size.
                zip.putNextEntry(new ZipEntry(extra.getKey()));
                zip.write(extra.getKey().endsWith(".bin") ? new byte[1 << 20] : new byte[] {'{', '}'});
            }
            assertThatThrownBy(() -> TabularModel.load(more.toByteArray()))
                    .as(extra.getKey())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("it holds " + extra.getValue())
                    .hasMessageContaining("spec.json and one .params file");
        }
    }

    /**
     * Predicts one record on its own. Equal inputs are only compared one per call: CPU kernels may round a row
     * differently depending on its position in a batch.
     */
    private static Prediction predictOne(TabularModel model, Map<String, Object> record) throws InvalidRecord {
        return model.predict(List.of(record)).get(0);
    }
}
