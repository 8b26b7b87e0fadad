package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.inference.TabularModel.Prediction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationMetricsTest {

    @Test
    void classificationLossAccuracyAndMacroF1OverTheVocabulary() {
        ModelSpec spec = spec(Task.CLASSIFICATION, List.of("a", "b", "c"), 1);
        List<Prediction> predictions = List.of(
                classified("a", 0.8, 0.1, 0.1),
                classified("b", 0.4, 0.5, 0.1),
                classified("b", 0.05, 0.9, 0.05),
                classified("b", 0.2, 0.7, 0.1));

        Map<String, Double> metrics =
                EvaluationMetrics.of(spec, predictions, new String[] {"a", "a", "b", "c"}, "val_");

        double loss = -(Math.log(0.8) + Math.log(0.4) + Math.log(0.9) + Math.log(0.1)) / 4;
        // F1 per class: a = 2·1/(2·1+0+1), b = 2·1/(2·1+2+0), c = 0 (never predicted right).
        double f1 = (2.0 / 3 + 0.5 + 0.0) / 3;
        assertThat(metrics)
                .containsExactly(
                        Map.entry("val_loss", loss), Map.entry("val_accuracy", 0.5), Map.entry("val_f1_macro", f1));
    }

    @Test
    void addingChunksGivesTheMetricsOfTheWhole() {
        ModelSpec spec = spec(Task.CLASSIFICATION, List.of("a", "b", "c"), 1);
        List<Prediction> predictions = List.of(
                classified("a", 0.8, 0.1, 0.1),
                classified("b", 0.4, 0.5, 0.1),
                classified("b", 0.05, 0.9, 0.05),
                classified("c", 0.2, 0.3, 0.5));
        String[] actual = {"a", "a", "b", "c"};

        EvaluationMetrics.Accumulator chunked = new EvaluationMetrics.Accumulator(spec);
        chunked.add(predictions.subList(0, 3), new String[] {"a", "a", "b"});
        chunked.add(predictions.subList(3, 4), new String[] {"c"});

        assertThat(chunked.count()).isEqualTo(4);
        assertThat(chunked.metrics("test_")).isEqualTo(EvaluationMetrics.of(spec, predictions, actual, "test_"));
    }

    @Test
    void macroF1LeavesOutClassesThatNeitherOccurNorArePredicted() {
        ModelSpec spec = spec(Task.CLASSIFICATION, List.of("a", "b", "c"), 1);
        List<Prediction> predictions = List.of(classified("a", 0.9, 0.05, 0.05), classified("b", 0.1, 0.8, 0.1));

        Map<String, Double> metrics = EvaluationMetrics.of(spec, predictions, new String[] {"a", "b"}, "test_");

        assertThat(metrics).containsEntry("test_f1_macro", 1.0).containsEntry("test_accuracy", 1.0);
    }

    @Test
    void regressionErrorsOnTheLabelScaleAndLossOnTheStandardisedScale() {
        ModelSpec spec = spec(Task.REGRESSION, List.of(), 2);
        List<Prediction> predictions = List.of(
                new Prediction(null, null, 1.0), new Prediction(null, null, 2.0), new Prediction(null, null, 3.0));

        Map<String, Double> metrics = EvaluationMetrics.of(spec, predictions, new String[] {"1", "3", "5"}, "val_");

        // Errors 0, -1, -2; the truth has mean 3 and total sum of squares 8.
        assertThat(metrics)
                .containsExactly(
                        Map.entry("val_loss", 5.0 / 3 / 4),
                        Map.entry("val_rmse", Math.sqrt(5.0 / 3)),
                        Map.entry("val_mae", 1.0),
                        Map.entry("val_r2", 1 - 5.0 / 8));
    }

    private static Prediction classified(String label, double a, double b, double c) {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("a", a);
        probabilities.put("b", b);
        probabilities.put("c", c);
        return new Prediction(label, probabilities, null);
    }

    private static ModelSpec spec(Task task, List<String> vocabulary, double labelStd) {
        return new ModelSpec(
                "test", task, "y", List.of(), List.of(), "relu", 0, 0, vocabulary, 0, labelStd, "", "", Map.of());
    }
}
