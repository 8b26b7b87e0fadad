package dev.canopy.runner.recipe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test split of a tabular run as its training measured it: the held-out rows as records of raw cell values, as a
 * client would send them, with their true labels. Training computes a version's test metrics on exactly these, so
 * anyone holding the dataset and the version's params can check served predictions against those metrics.
 *
 * @param records column → cell text for every feature (the label left out), in the split's row order
 * @param labels the label text of each record
 */
public record TestSplit(List<Map<String, Object>> records, String[] labels) {

    /**
     * The test split of {@code csv} under a tabular run's params.
     *
     * @param resolvedParams the params as the recipe resolved them (a model version's {@code params}: label,
     *     features, fractions and seed)
     * @throws TrainingFailure when the CSV cannot be read as the run read it
     */
    public static TestSplit of(Path csv, Map<String, Object> resolvedParams) throws TrainingFailure {
        TabularParams params = TabularParams.of(resolvedParams);
        CsvTable table = CsvTable.read(csv, params.label(), params.features());
        return of(table, TabularTraining.split(table, params));
    }

    static TestSplit of(CsvTable table, DataSplit split) {
        return of(table, split.test());
    }

    /** The table's rows of these indexes, in this order. */
    static TestSplit of(CsvTable table, int[] rows) {
        List<Map<String, Object>> records = new ArrayList<>(rows.length);
        String[] labels = new String[rows.length];
        for (int i = 0; i < rows.length; i++) {
            String[] row = table.rows().get(rows[i]);
            Map<String, Object> record = new HashMap<>();
            for (int column = 1; column < table.columns().size(); column++) {
                record.put(table.columns().get(column), row[column]);
            }
            records.add(record);
            labels[i] = row[0].trim();
        }
        return new TestSplit(records, labels);
    }
}
