package dev.canopy.runner.recipe;

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
 * compared on one held-out dataset.
 */
public final class HeldOutEvaluation {

    private HeldOutEvaluation() {}

    /**
     * @param csv a UTF-8 CSV with a header holding the model's label and feature columns; rows without a label are
     *     left out, as in training
     * @throws TrainingFailure when the CSV lacks a column the model needs, or a value cannot be encoded
     */
    public static Map<String, Double> score(TabularModel model, Path csv) throws TrainingFailure {
        ModelSpec spec = model.spec();
        List<String> features =
                spec.features().stream().map(ModelSpec.Feature::name).toList();
        CsvTable table = CsvTable.read(csv, spec.label(), features);
        if (table.rows().isEmpty()) {
            throw new TrainingFailure("the dataset has no labelled rows");
        }
        List<Map<String, Object>> records = new ArrayList<>(table.rows().size());
        String[] labels = new String[table.rows().size()];
        for (int row = 0; row < table.rows().size(); row++) {
            String[] cells = table.rows().get(row);
            labels[row] = cells[0];
            Map<String, Object> record = new HashMap<>();
            for (int column = 1; column < table.columns().size(); column++) {
                record.put(table.columns().get(column), cells[column]);
            }
            records.add(record);
        }
        try {
            return EvaluationMetrics.of(spec, model.predict(records), labels, "test_");
        } catch (InvalidRecord e) {
            throw new TrainingFailure("the dataset cannot be encoded for this model: " + e.getMessage(), e);
        }
    }
}
