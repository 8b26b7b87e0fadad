package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Feature;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.inference.TabularModel;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainedArtifactTest {

    @Test
    void loadedArtifactReproducesTheTestMetricsExactly() throws Exception {
        Map<String, Object> params = Map.of("label", "body_mass_g", "epochs", 5);
        TrainingResult result = new TabularRegressionRecipe().train(RecordingContext.penguins(params));
        TestSplit test = TestSplit.of(
                Penguins.csv(),
                new TabularRegressionRecipe().validate(params, Penguins.PROFILE).resolvedParams());
        assertThat(test.records()).hasSize(test.labels().length).hasSizeGreaterThan(30);

        try (TabularModel model = TabularModel.load(result.model())) {
            Map<String, Double> metrics =
                    EvaluationMetrics.of(model.spec(), model.predict(test.records()), test.labels(), "test_");

            assertThat(metrics).isEqualTo(result.testMetrics());
        }
    }

    /**
     * The test split is scored a chunk at a time (a split of millions of rows held as records at once could run the
     * runner out of memory): over several chunks, the metrics are those of the rows scored at once.
     */
    @Test
    void testMetricsScoredAChunkAtATimeAreThoseOfAllRowsAtOnce() throws Exception {
        Map<String, Object> params = Map.of("label", "species", "epochs", 2);
        TrainingResult result = new TabularClassificationRecipe().train(RecordingContext.penguins(params));
        CsvTable table = CsvTable.read(
                Penguins.csv(),
                "species",
                TabularParams.of(new TabularClassificationRecipe()
                                .validate(params, Penguins.PROFILE)
                                .resolvedParams())
                        .features());
        // Every row, over and over: three chunks, the last one short.
        int[] rows = IntStream.range(0, 2 * HeldOutEvaluation.CHUNK + 100)
                .map(i -> i % table.rows().size())
                .toArray();

        Map<String, Double> chunked = TabularTraining.testMetrics(result.model(), table, rows);

        TestSplit all = TestSplit.of(table, rows);
        try (TabularModel model = TabularModel.load(result.model())) {
            Map<String, Double> atOnce =
                    EvaluationMetrics.of(model.spec(), model.predict(all.records()), all.labels(), "test_");
            assertThat(chunked).containsOnlyKeys(atOnce.keySet());
            atOnce.forEach(
                    (name, value) -> assertThat(chunked.get(name)).as(name).isCloseTo(value, within(1e-9)));
        }
    }

    @Test
    void artifactSpecDescribesPreprocessingArchitectureAndVersions() throws Exception {
        Map<String, Object> params = Map.of("label", "species", "epochs", 1, "hiddenLayers", List.of(8));
        TrainingResult result = new TabularClassificationRecipe().train(RecordingContext.penguins(params));

        try (TabularModel model = TabularModel.load(result.model())) {
            ModelSpec spec = model.spec();

            assertThat(spec.recipe()).isEqualTo("tabular-classification");
            assertThat(spec.task()).isEqualTo(Task.CLASSIFICATION);
            assertThat(spec.label()).isEqualTo("species");
            assertThat(spec.labelVocabulary()).containsExactly("Adelie", "Chinstrap", "Gentoo");
            assertThat(spec.features())
                    .extracting(Feature::name, Feature::kind, Feature::missingIndicator, Feature::categories)
                    .containsExactly(
                            tuple("island", Kind.CATEGORICAL, false, List.of("Biscoe", "Dream", "Torgersen")),
                            tuple("bill_length_mm", Kind.NUMERIC, true, List.of()),
                            tuple("bill_depth_mm", Kind.NUMERIC, true, List.of()),
                            tuple("flipper_length_mm", Kind.NUMERIC, true, List.of()),
                            tuple("body_mass_g", Kind.NUMERIC, true, List.of()),
                            tuple("sex", Kind.CATEGORICAL, false, List.of(".", "FEMALE", "MALE")));
            // island 3 + unknown, four numbers with missing indicators, sex 3 + unknown.
            assertThat(spec.inputSize()).isEqualTo(4 + 4 * 2 + 4);
            assertThat(spec.hiddenLayers()).containsExactly(8);
            assertThat(spec.activation()).isEqualTo("relu");
            assertThat(spec.dropout()).isEqualTo(0.1);
            assertThat(spec.djlVersion()).isEqualTo("0.36.0");
            assertThat(spec.pytorchVersion())
                    .isEqualTo(Engine.getInstance().getVersion())
                    .isEqualTo("2.7.1");
            assertThat(spec.trainingParams()).containsEntry("epochs", 1).containsEntry("seed", 42);
        }
    }
}
