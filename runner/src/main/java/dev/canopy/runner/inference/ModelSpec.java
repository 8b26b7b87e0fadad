package dev.canopy.runner.inference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to rebuild a trained tabular model and to turn records into its inputs and its outputs into
 * predictions. Stored as {@code spec.json} inside the model artifact, next to the DJL parameters.
 *
 * @param recipe the recipe that trained the model, e.g. {@code tabular-classification}
 * @param task classification or regression
 * @param label the label column
 * @param features the input features in input-vector order, each with its fitted preprocessing
 * @param hiddenLayers units of each hidden layer of the MLP
 * @param activation {@code relu}, {@code tanh} or {@code sigmoid}
 * @param dropout dropout rate after each hidden layer (0 = no dropout layers)
 * @param inputSize width of the encoded input vector (sum of the feature widths)
 * @param labelVocabulary classification: the classes in output order (sorted); regression: empty
 * @param labelMean regression: training mean of the label (outputs are standardised); classification: 0
 * @param labelStd regression: training standard deviation of the label (1 when it was 0); classification: 1
 * @param djlVersion DJL version that trained the model
 * @param pytorchVersion PyTorch version the engine reported while training
 * @param trainingParams the resolved recipe parameters of the run
 */
public record ModelSpec(
        String recipe,
        Task task,
        String label,
        List<Feature> features,
        List<Integer> hiddenLayers,
        String activation,
        double dropout,
        int inputSize,
        List<String> labelVocabulary,
        double labelMean,
        double labelStd,
        String djlVersion,
        String pytorchVersion,
        Map<String, Object> trainingParams) {

    public ModelSpec {
        // Copies that keep nulls, so that SpecRules can name a null element of a spec.json.
        features = copy(Objects.requireNonNull(features, "features is missing"));
        hiddenLayers = copy(Objects.requireNonNull(hiddenLayers, "hiddenLayers is missing"));
        labelVocabulary = copy(Objects.requireNonNull(labelVocabulary, "labelVocabulary is missing"));
    }

    private static <T> List<T> copy(List<T> list) {
        return Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** What the model predicts. */
    public enum Task {
        CLASSIFICATION,
        REGRESSION
    }

    /** How a feature column is encoded. */
    public enum Kind {
        /** Standardised number; missing values get the training mean (0 after standardising). */
        NUMERIC,
        /** true/yes = 1, false/no = 0, then standardised like a number. */
        BOOLEAN,
        /** One-hot over the training vocabulary plus a last "unknown" slot for unseen or missing values. */
        CATEGORICAL
    }

    /**
     * One input column and its preprocessing, fitted on the training split.
     *
     * @param name the column name
     * @param kind how the value is encoded
     * @param mean NUMERIC/BOOLEAN: training mean (also the imputed value); CATEGORICAL: 0
     * @param std NUMERIC/BOOLEAN: training standard deviation, 1 when it was 0; CATEGORICAL: 1
     * @param missingIndicator NUMERIC/BOOLEAN: whether a 0/1 "was missing" input follows the value
     * @param categories CATEGORICAL: the training vocabulary, sorted; the unknown slot comes after it
     */
    public record Feature(
            String name, Kind kind, double mean, double std, boolean missingIndicator, List<String> categories) {

        public Feature {
            categories = copy(categories == null ? List.of() : categories);
        }

        /** Number of inputs this feature takes in the encoded vector. */
        public int width() {
            if (kind == Kind.CATEGORICAL) {
                return categories.size() + 1;
            }
            return missingIndicator ? 2 : 1;
        }
    }

    /** Number of model outputs: one logit per class, or one standardised value. */
    public int outputSize() {
        return task == Task.CLASSIFICATION ? labelVocabulary.size() : 1;
    }
}
