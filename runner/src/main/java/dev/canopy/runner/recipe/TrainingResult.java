package dev.canopy.runner.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a finished training produced.
 *
 * @param testMetrics metrics of the final model on the test split, e.g. {@code test_accuracy}
 * @param model the self-contained model artifact (load it with {@code TabularModel.load})
 * @param epochs the epochs trained in all, counting those before a resume
 * @param stoppedEarly whether early stopping ended the run before the configured epochs
 * @param notes things the run should say, as in {@link Validation#notes()}
 */
public record TrainingResult(
        Map<String, Double> testMetrics, byte[] model, int epochs, boolean stoppedEarly, List<String> notes) {

    public TrainingResult {
        testMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(testMetrics));
        notes = List.copyOf(notes);
    }
}
