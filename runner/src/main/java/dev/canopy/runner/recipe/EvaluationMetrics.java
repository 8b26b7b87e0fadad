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
 *
 * <p>An {@link Accumulator} takes predictions a chunk at a time, so that a large dataset is scored without holding
 * all of it.
 */
final class EvaluationMetrics {

    static final double MIN_PROBABILITY = 1e-7;

    private EvaluationMetrics() {}

    /** Metrics keyed {@code prefix + name}, e.g. {@code val_loss}. */
    static Map<String, Double> of(ModelSpec spec, List<Prediction> predictions, String[] actual, String prefix) {
        Accumulator accumulator = new Accumulator(spec);
        accumulator.add(predictions, actual);
        return accumulator.metrics(prefix);
    }

    /** Sums of what the metrics need, over the predictions added so far. */
    static final class Accumulator {

        private final ModelSpec spec;
        private long count;
        private long unknownLabels;
        // Rows answered with a NaN or infinite probability or value: any one makes every metric NaN.
        private long nonFinite;
        // Classification: the loss's sum, hits, and per class {true positives, false positives, false negatives}.
        private double lossSum;
        private long correct;
        private final Map<String, long[]> classCounts = new LinkedHashMap<>();
        // Regression: error sums, and the true values' mean and sum of squared deviations (Welford).
        private double squaredErrors;
        private double absoluteErrors;
        private double truthMean;
        private double truthSquares;

        Accumulator(ModelSpec spec) {
            this.spec = spec;
            spec.labelVocabulary().forEach(c -> classCounts.put(c, new long[3]));
        }

        /** Adds predictions with their true label text, in the same order. */
        void add(List<Prediction> predictions, String[] actual) {
            for (int i = 0; i < actual.length; i++) {
                count++;
                if (!finite(predictions.get(i))) {
                    // A NaN probability would still give a label (the first class), and a score that looks sound.
                    nonFinite++;
                } else if (spec.task() == Task.CLASSIFICATION) {
                    addClass(predictions.get(i), actual[i]);
                } else {
                    addValue(predictions.get(i).value(), CellValues.parseNumber(actual[i]));
                }
            }
        }

        long count() {
            return count;
        }

        private static boolean finite(Prediction prediction) {
            if (prediction.value() != null) {
                return Double.isFinite(prediction.value());
            }
            return prediction.probabilities().values().stream().allMatch(Double::isFinite);
        }

        /** Classification: how many of the rows added have a true label the model was not trained on. */
        long unknownLabels() {
            return unknownLabels;
        }

        private void addClass(Prediction prediction, String actual) {
            if (!spec.labelVocabulary().contains(actual)) {
                unknownLabels++;
            }
            double p = prediction.probabilities().getOrDefault(actual, 0.0);
            lossSum -= Math.log(Math.max(p, MIN_PROBABILITY));
            String predicted = prediction.label();
            if (predicted.equals(actual)) {
                correct++;
                classCounts.computeIfAbsent(actual, c -> new long[3])[0]++;
            } else {
                classCounts.computeIfAbsent(predicted, c -> new long[3])[1]++;
                classCounts.computeIfAbsent(actual, c -> new long[3])[2]++;
            }
        }

        private void addValue(double predicted, double truth) {
            double error = predicted - truth;
            squaredErrors += error * error;
            absoluteErrors += Math.abs(error);
            double delta = truth - truthMean;
            truthMean += delta / count;
            truthSquares += delta * (truth - truthMean);
        }

        /** Metrics keyed {@code prefix + name} over everything added. */
        Map<String, Double> metrics(String prefix) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (nonFinite > 0) {
                List<String> names = spec.task() == Task.CLASSIFICATION
                        ? List.of("loss", "accuracy", "f1_macro")
                        : List.of("loss", "rmse", "mae", "r2");
                names.forEach(name -> metrics.put(prefix + name, Double.NaN));
                return metrics;
            }
            if (spec.task() == Task.CLASSIFICATION) {
                metrics.put(prefix + "loss", lossSum / count);
                metrics.put(prefix + "accuracy", (double) correct / count);
                metrics.put(prefix + "f1_macro", macroF1());
            } else {
                double mse = squaredErrors / count;
                metrics.put(prefix + "loss", mse / (spec.labelStd() * spec.labelStd()));
                metrics.put(prefix + "rmse", Math.sqrt(mse));
                metrics.put(prefix + "mae", absoluteErrors / count);
                metrics.put(prefix + "r2", truthSquares == 0 ? Double.NaN : 1 - squaredErrors / truthSquares);
            }
            return metrics;
        }

        private double macroF1() {
            double sum = 0;
            int counted = 0;
            for (long[] c : classCounts.values()) {
                if (c[0] + c[1] + c[2] > 0) {
                    // F1 = 2TP / (2TP + FP + FN), which is 0 (not undefined) when TP = 0.
                    sum += 2.0 * c[0] / (2.0 * c[0] + c[1] + c[2]);
                    counted++;
                }
            }
            return counted == 0 ? 0 : sum / counted;
        }
    }
}
