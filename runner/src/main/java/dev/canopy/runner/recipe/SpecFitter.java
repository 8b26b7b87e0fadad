package dev.canopy.runner.recipe;

import ai.djl.engine.Engine;
import dev.canopy.runner.inference.CellValues;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Feature;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.ModelSpec.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fits the preprocessing on the training rows only and assembles the {@link ModelSpec}.
 *
 * <p>NUMERIC and BOOLEAN (as 0/1) features are standardised with the training mean and population standard deviation
 * (1 when it is 0 or there are no values); they get a missing indicator when the profile reports missing values in that
 * column. CATEGORICAL features keep at most {@link #MAX_CATEGORIES} training values (the most frequent, ties by value),
 * sorted. A regression label is standardised the same way; a classification label's vocabulary is its sorted distinct
 * training values.
 */
final class SpecFitter {

    /** Keeps one-hot inputs bounded for high-cardinality columns; rarer values share the unknown slot. */
    static final int MAX_CATEGORIES = 256;

    private final CsvTable table;
    private final int[] trainRows;

    private SpecFitter(CsvTable table, int[] trainRows) {
        this.table = table;
        this.trainRows = trainRows;
    }

    static ModelSpec fit(
            String recipe, Task task, TabularParams params, DatasetProfile profile, CsvTable table, int[] trainRows)
            throws TrainingFailure {
        SpecFitter fitter = new SpecFitter(table, trainRows);
        List<Feature> features = new ArrayList<>();
        for (int column = 1; column < table.columns().size(); column++) {
            features.add(fitter.feature(column, profile));
        }
        int inputSize = features.stream().mapToInt(Feature::width).sum();
        double[] labelStats = task == Task.REGRESSION ? fitter.meanAndStd(0, Kind.NUMERIC) : new double[] {0, 1};
        List<String> vocabulary = task == Task.CLASSIFICATION ? fitter.labelVocabulary() : List.of();
        Engine engine = Engine.getInstance();
        return new ModelSpec(
                recipe,
                task,
                params.label(),
                features,
                params.hiddenLayers(),
                params.activation(),
                params.dropout(),
                inputSize,
                vocabulary,
                labelStats[0],
                labelStats[1],
                Engine.getDjlVersion(),
                engine.getVersion(),
                params.toMap());
    }

    private Feature feature(int column, DatasetProfile profile) throws TrainingFailure {
        String name = table.columns().get(column);
        DatasetProfile.Column profiled = profile.column(name)
                .orElseThrow(() -> new TrainingFailure("column '" + name + "' is not in the dataset profile"));
        Kind kind = Kind.valueOf(profiled.type());
        if (kind == Kind.CATEGORICAL) {
            return new Feature(name, kind, 0, 1, false, categories(column));
        }
        double[] stats = meanAndStd(column, kind);
        // An indicator only where the training split has missing values: one that is 0 in every training row keeps
        // its initial random weights (its gradient is 0), and would add noise to every answer for a missing value.
        // (The profile counts the whole file, validation and test rows included.) Without one, a missing value is
        // the training mean.
        return new Feature(name, kind, stats[0], stats[1], stats[2] > 0, List.of());
    }

    /**
     * Training mean, population standard deviation (1 when it is 0) and count of missing values of a numeric or
     * boolean column.
     */
    private double[] meanAndStd(int column, Kind kind) throws TrainingFailure {
        double[] values = new double[trainRows.length];
        int count = 0;
        for (int row : trainRows) {
            double value = TableValues.number(table, row, column, kind);
            if (!Double.isNaN(value)) {
                values[count++] = value;
            }
        }
        int missing = trainRows.length - count;
        if (count == 0) {
            return new double[] {0, 1, missing};
        }
        double mean = 0;
        for (int i = 0; i < count; i++) {
            mean += values[i];
        }
        mean /= count;
        // Two passes: summing squared deviations stays accurate where sum-of-squares minus squared mean would not.
        double squares = 0;
        for (int i = 0; i < count; i++) {
            squares += (values[i] - mean) * (values[i] - mean);
        }
        double std = Math.sqrt(squares / count);
        if (!Double.isFinite(mean) || !Double.isFinite(std)) {
            // Values near 1e154 and beyond overflow the squares (near 1e308 the sum): said before any epoch runs,
            // not found in the finished model after the last one.
            throw new TrainingFailure("column '" + table.columns().get(column) + "' has values too large to"
                    + " standardise (its mean or standard deviation is not a finite number); scale the column down");
        }
        return new double[] {mean, std > 0 ? std : 1, missing};
    }

    private List<String> categories(int column) {
        Map<String, Integer> counts = new HashMap<>();
        for (int row : trainRows) {
            String value = table.rows().get(row)[column];
            if (!CellValues.isMissing(value)) {
                counts.merge(value.trim(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_CATEGORIES)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private List<String> labelVocabulary() throws TrainingFailure {
        TreeSet<String> classes = new TreeSet<>();
        for (int row : trainRows) {
            classes.add(table.rows().get(row)[0].trim());
        }
        if (classes.size() < 2) {
            throw new TrainingFailure("the training split holds only the class " + classes
                    + "; classification needs at least 2 classes (use more rows or another seed)");
        }
        return List.copyOf(classes);
    }
}
