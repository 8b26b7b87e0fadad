package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.FeatureEncoder;
import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.ModelSpec.Task;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One split, encoded for the network.
 *
 * @param rows number of rows
 * @param width encoded features per row
 * @param features {@code rows × width} inputs, row-major
 * @param labels training target per row: the class index (-1 for a class the training split lacks) or the
 *     standardised value
 * @param rawLabels the label text per row, for metrics
 */
record EncodedSplit(int rows, int width, float[] features, float[] labels, String[] rawLabels) {

    /** The most elements a Java array may hold (a few less than Integer.MAX_VALUE on common JVMs). */
    static final int MAX_INPUTS = Integer.MAX_VALUE - 8;

    /** Encodes the given table rows with the spec's preprocessing. */
    static EncodedSplit of(CsvTable table, int[] tableRows, ModelSpec spec) throws TrainingFailure {
        FeatureEncoder encoder = new FeatureEncoder(spec);
        Map<String, Integer> columns = table.columnIndex();
        int width = encoder.width();
        long inputs = (long) tableRows.length * width;
        if (inputs > MAX_INPUTS) {
            // Past what one array holds (the product of two ints wrapped around before).
            throw new TrainingFailure(String.format(
                    Locale.ROOT,
                    "a split of %,d rows encodes to %,d inputs (%,d per row), more than one array holds (%,d); train"
                            + " on fewer rows, or on fewer features or categories",
                    tableRows.length,
                    inputs,
                    width,
                    MAX_INPUTS));
        }
        float[] features = new float[(int) inputs];
        float[] labels = new float[tableRows.length];
        String[] rawLabels = new String[tableRows.length];
        Map<String, Integer> classes = new HashMap<>();
        for (String label : spec.labelVocabulary()) {
            classes.put(label, classes.size());
        }
        for (int i = 0; i < tableRows.length; i++) {
            String[] row = table.rows().get(tableRows[i]);
            try {
                encoder.encode(name -> row[columns.get(name)], features, i * width);
                if (hasNonFinite(features, i * width, width)) {
                    Optional<InvalidRecord> far = encoder.farOutside(name -> row[columns.get(name)]);
                    if (far.isPresent()) {
                        throw far.get();
                    }
                }
            } catch (InvalidRecord e) {
                throw TableValues.badValue(table, tableRows[i], columns.get(e.field()), e.problem());
            }
            rawLabels[i] = row[0].trim();
            labels[i] = spec.task() == Task.CLASSIFICATION
                    ? classes.getOrDefault(rawLabels[i], -1)
                    : standardisedLabel(spec, table, tableRows[i]);
        }
        return new EncodedSplit(tableRows.length, width, features, labels, rawLabels);
    }

    /**
     * Whether an encoded input is not finite: a value so far from the training data's mean that it standardised past
     * what a float holds (1e45 in a column of tens), which turned the network's output to infinity or NaN, and the
     * run failed advising a lower learning rate, or finished with NaN test metrics. A value far out but finite is
     * left to the network, as serving answers it (and asks why only when an answer is not finite).
     */
    private static boolean hasNonFinite(float[] features, int offset, int width) {
        for (int j = offset; j < offset + width; j++) {
            if (!Float.isFinite(features[j])) {
                return true;
            }
        }
        return false;
    }

    private static float standardisedLabel(ModelSpec spec, CsvTable table, int row) throws TrainingFailure {
        double value = TableValues.number(table, row, 0, Kind.NUMERIC);
        return (float) ((value - spec.labelMean()) / spec.labelStd());
    }
}
