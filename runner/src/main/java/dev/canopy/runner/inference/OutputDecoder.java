package dev.canopy.runner.inference;

import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.inference.TabularModel.Prediction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns raw model outputs into predictions. Shared by training (validation and test metrics) and serving, so the
 * metrics a run reports are computed from exactly what the endpoint would return.
 */
public final class OutputDecoder {

    private OutputDecoder() {}

    /**
     * @param outputs row-major outputs, {@link ModelSpec#outputSize()} per row
     * @return classification: the most probable class (the first on ties) and softmax probabilities in vocabulary
     *     order; regression: the de-standardised value
     */
    public static List<Prediction> decode(ModelSpec spec, float[] outputs) {
        int width = spec.outputSize();
        int rows = outputs.length / width;
        List<Prediction> predictions = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            predictions.add(
                    spec.task() == Task.CLASSIFICATION
                            ? classify(spec.labelVocabulary(), outputs, row * width)
                            : new Prediction(null, null, outputs[row] * spec.labelStd() + spec.labelMean()));
        }
        return predictions;
    }

    private static Prediction classify(List<String> vocabulary, float[] logits, int offset) {
        int classes = vocabulary.size();
        int best = 0;
        for (int i = 1; i < classes; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        // Subtracting the largest logit keeps exp() from overflowing.
        double sum = 0;
        double[] exp = new double[classes];
        for (int i = 0; i < classes; i++) {
            exp[i] = Math.exp((double) logits[offset + i] - logits[offset + best]);
            sum += exp[i];
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        for (int i = 0; i < classes; i++) {
            probabilities.put(vocabulary.get(i), exp[i] / sum);
        }
        return new Prediction(vocabulary.get(best), probabilities, null);
    }
}
