package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.CellValues;
import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.TabularModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a trained tabular model on a labelled CSV it did not train on: the same {@code test_*} metrics its
 * recipe reports for its test split (accuracy and macro-F1, or RMSE, MAE and R²), so that two versions can be
 * compared on one held-out dataset. The CSV is read and scored a chunk of rows at a time, so a dataset of any size
 * takes the memory of one chunk.
 */
public final class HeldOutEvaluation {

    /** Rows per chunk: as many as one forward pass takes, so the results are those of scoring all rows at once. */
    static final int CHUNK = 1024;

    private HeldOutEvaluation() {}

    /**
     * What a model scored.
     *
     * @param metrics the {@code test_*} metrics
     * @param rows the labelled rows scored (rows without a label are left out)
     * @param unknownLabels classification: rows whose label the model was not trained on (each one a miss); 0 for
     *     regression
     */
    public record Score(Map<String, Double> metrics, long rows, long unknownLabels) {}

    /**
     * @param csv a UTF-8 CSV with a header holding the model's label and feature columns; rows without a label are
     *     left out, as in training
     * @throws TrainingFailure when the CSV lacks a column the model needs, or a value cannot be encoded
     */
    public static Score score(TabularModel model, Path csv) throws TrainingFailure {
        ModelSpec spec = model.spec();
        List<String> features =
                spec.features().stream().map(ModelSpec.Feature::name).toList();
        EvaluationMetrics.Accumulator metrics = new EvaluationMetrics.Accumulator(spec);
        List<Map<String, Object>> records = new ArrayList<>(CHUNK);
        List<String> labels = new ArrayList<>(CHUNK);
        CsvTable.forEachRow(csv, spec.label(), features, (cells, rowNumber) -> {
            if (spec.task() == ModelSpec.Task.REGRESSION && !Double.isFinite(CellValues.parseNumber(cells[0]))) {
                // The data's fault, not the model's: said so, rather than scored NaN as if the answers were.
                throw new TrainingFailure("row " + rowNumber + " of the dataset has the label '" + abbreviated(cells[0])
                        + "', not a finite number");
            }
            // Trimmed, as training read its labels.
            labels.add(cells[0].trim());
            Map<String, Object> record = new HashMap<>();
            for (int column = 0; column < features.size(); column++) {
                record.put(features.get(column), cells[column + 1]);
            }
            records.add(record);
            if (records.size() == CHUNK) {
                score(model, records, labels, metrics);
            }
        });
        score(model, records, labels, metrics);
        if (metrics.count() == 0) {
            throw new TrainingFailure("the dataset has no labelled rows");
        }
        return new Score(metrics.metrics("test_"), metrics.count(), metrics.unknownLabels());
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** Scores the records held and lets them go. */
    private static void score(
            TabularModel model,
            List<Map<String, Object>> records,
            List<String> labels,
            EvaluationMetrics.Accumulator metrics)
            throws TrainingFailure {
        if (records.isEmpty()) {
            return;
        }
        try {
            metrics.add(model.predict(records), labels.toArray(String[]::new));
        } catch (InvalidRecord e) {
            throw new TrainingFailure("the dataset cannot be encoded for this model: " + e.getMessage(), e);
        }
        records.clear();
        labels.clear();
    }
}
