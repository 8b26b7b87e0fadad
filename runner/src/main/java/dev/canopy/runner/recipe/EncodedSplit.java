package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.FeatureEncoder;
import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.ModelSpec.Task;
import java.util.HashMap;
import java.util.Map;

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

    /** Encodes the given table rows with the spec's preprocessing. */
    static EncodedSplit of(CsvTable table, int[] tableRows, ModelSpec spec) throws TrainingFailure {
        FeatureEncoder encoder = new FeatureEncoder(spec);
        Map<String, Integer> columns = table.columnIndex();
        int width = encoder.width();
        float[] features = new float[tableRows.length * width];
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

    private static float standardisedLabel(ModelSpec spec, CsvTable table, int row) throws TrainingFailure {
        double value = TableValues.number(table, row, 0, Kind.NUMERIC);
        return (float) ((value - spec.labelMean()) / spec.labelStd());
    }
}
