package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.CellValues;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.inference.TabularModel.Prediction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation and test metrics, computed from {@link Prediction}s (what serving returns) and the true label text.
 *
 * <p>Classification: {@code loss} = mean −ln p(true class), with p floored at {@link #MIN_PROBABILITY} so that a class
 * the training split never saw costs a large finite amount; {@code accuracy}; {@code f1_macro} = mean F1 over the
 * vocabulary and the true labels, leaving out classes that neither occur nor are predicted. Regression, on the original
 * label scale: {@code rmse}, {@code mae}, {@code r2} (NaN when the true values do not vary), and {@code loss} = mean
 * squared error of the standardised label, the quantity training minimises.
 */
final class EvaluationMetrics {

    static final double MIN_PROBABILITY = 1e-7;

    private EvaluationMetrics() {}

    /** Metrics keyed {@code prefix + name}, e.g. {@code val_loss}. */
    static Map<String, Double> of(ModelSpec spec, List<Prediction> predictions, String[] actual, String prefix) {
        return spec.task() == Task.CLASSIFICATION
                ? classification(spec, predictions, actual, prefix)
                : regression(spec, predictions, actual, prefix);
    }

    private static Map<String, Double> classification(
            ModelSpec spec, List<Prediction> predictions, String[] actual, String prefix) {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < actual.length; i++) {
            Prediction prediction = predictions.get(i);
            double p = prediction.probabilities().getOrDefault(actual[i], 0.0);
            loss -= Math.log(Math.max(p, MIN_PROBABILITY));
            correct += prediction.label().equals(actual[i]) ? 1 : 0;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(prefix + "loss", loss / actual.length);
        metrics.put(prefix + "accuracy", (double) correct / actual.length);
        metrics.put(prefix + "f1_macro", macroF1(spec.labelVocabulary(), predictions, actual));
        return metrics;
    }

    private static double macroF1(List<String> vocabulary, List<Prediction> predictions, String[] actual) {
        Map<String, int[]> counts =
                new LinkedHashMap<>(); // class -> {true positives, false positives, false negatives}
        vocabulary.forEach(c -> counts.put(c, new int[3]));
        for (int i = 0; i < actual.length; i++) {
            String predicted = predictions.get(i).label();
            if (predicted.equals(actual[i])) {
                counts.computeIfAbsent(actual[i], c -> new int[3])[0]++;
            } else {
                counts.computeIfAbsent(predicted, c -> new int[3])[1]++;
                counts.computeIfAbsent(actual[i], c -> new int[3])[2]++;
            }
        }
        double sum = 0;
        int counted = 0;
        for (int[] count : counts.values()) {
            if (count[0] + count[1] + count[2] > 0) {
                // F1 = 2TP / (2TP + FP + FN), which is 0 (not undefined) when TP = 0.
                sum += 2.0 * count[0] / (2.0 * count[0] + count[1] + count[2]);
                counted++;
            }
        }
        return counted == 0 ? 0 : sum / counted;
    }

    private static Map<String, Double> regression(
            ModelSpec spec, List<Prediction> predictions, String[] actual, String prefix) {
        double[] truth = new double[actual.length];
        double mean = 0;
        for (int i = 0; i < actual.length; i++) {
            truth[i] = CellValues.parseNumber(actual[i]);
            mean += truth[i];
        }
        mean /= actual.length;
        double squaredErrors = 0;
        double absoluteErrors = 0;
        double totalSquares = 0;
        for (int i = 0; i < actual.length; i++) {
            double error = predictions.get(i).value() - truth[i];
            squaredErrors += error * error;
            absoluteErrors += Math.abs(error);
            totalSquares += (truth[i] - mean) * (truth[i] - mean);
        }
        double mse = squaredErrors / actual.length;
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(prefix + "loss", mse / (spec.labelStd() * spec.labelStd()));
        metrics.put(prefix + "rmse", Math.sqrt(mse));
        metrics.put(prefix + "mae", absoluteErrors / actual.length);
        metrics.put(prefix + "r2", totalSquares == 0 ? Double.NaN : 1 - squaredErrors / totalSquares);
        return metrics;
    }
}
