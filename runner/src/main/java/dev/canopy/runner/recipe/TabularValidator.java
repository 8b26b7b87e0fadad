package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.recipe.DatasetProfile.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Validates tabular params against a dataset profile: param types and ranges, the label, the features, the rows. */
final class TabularValidator {

    /** Fewer labelled rows than this cannot be split into useful training, validation and test sets. */
    static final int MIN_ROWS = 20;

    /**
     * Fewer rows than this in the validation or test split make its metrics noise (an R² over one row is not a
     * number, and early stopping would follow one row's loss).
     */
    static final int MIN_SPLIT_ROWS = 3;

    /** More classes than this is almost surely a mistaken label column (an id, a measurement). */
    static final int MAX_CLASSES = 1000;

    /** More distinct values than this in a numeric label makes a classification run note that it may be a measurement. */
    static final int MANY_NUMERIC_CLASSES = 20;

    private TabularValidator() {}

    static Validation validate(Map<String, Object> params, DatasetProfile profile, Task task) {
        ParamChecker.Checked checked = ParamChecker.check(params);
        List<Problem> problems = new ArrayList<>(checked.problems());
        List<String> notes = new ArrayList<>();
        Map<String, Object> resolved = checked.resolved();
        String label = (String) resolved.get("label");
        if (profile.rowCount() < MIN_ROWS) {
            problems.add(new Problem(
                    "dataset", "has " + profile.rowCount() + " rows; at least " + MIN_ROWS + " are needed"));
        }
        if (label != null) {
            checkLabel(profile, label, task, problems, notes);
            checkSplits(profile, label, resolved, problems);
        }
        @SuppressWarnings("unchecked")
        List<String> requested = (List<String>) resolved.get("features");
        FeatureResolver resolver = new FeatureResolver(profile, label, problems, notes);
        resolved.put("features", resolver.resolve(requested));
        return new Validation(problems, notes, resolved);
    }

    /** The validation and test splits of the labelled rows (as {@link DataSplit} makes them) are big enough. */
    private static void checkSplits(
            DatasetProfile profile, String label, Map<String, Object> resolved, List<Problem> problems) {
        Optional<Column> column = profile.column(label);
        if (column.isEmpty()
                || !(resolved.get("validationFraction") instanceof Number validation)
                || !(resolved.get("testFraction") instanceof Number test)) {
            return;
        }
        long labelled = profile.rowCount() - column.get().missing();
        for (Map.Entry<String, Number> split :
                List.of(Map.entry("validationFraction", validation), Map.entry("testFraction", test))) {
            long rows = Math.max(1, Math.round(labelled * split.getValue().doubleValue()));
            boolean refusedAlready = problems.stream().anyMatch(p -> p.field().equals(split.getKey()));
            if (labelled >= MIN_ROWS && rows < MIN_SPLIT_ROWS && !refusedAlready) {
                problems.add(new Problem(
                        split.getKey(),
                        split.getValue() + " of the " + labelled + " labelled rows is " + rows + " row(s); at least "
                                + MIN_SPLIT_ROWS + " are needed for its metrics to mean anything"));
            }
        }
    }

    private static void checkLabel(
            DatasetProfile profile, String label, Task task, List<Problem> problems, List<String> notes) {
        Optional<Column> found = profile.column(label);
        if (found.isEmpty()) {
            problems.add(new Problem("label", "column '" + label + "' does not exist"));
            return;
        }
        Column column = found.get();
        long labelled = profile.rowCount() - column.missing();
        if (profile.rowCount() >= MIN_ROWS && labelled < MIN_ROWS) {
            problems.add(new Problem(
                    "label",
                    "only " + labelled + " rows have a value in column '" + label + "'; at least " + MIN_ROWS
                            + " are needed"));
        }
        if (task == Task.REGRESSION && !column.type().equals("NUMERIC")) {
            problems.add(new Problem(
                    "label", "column '" + label + "' is " + column.type() + "; regression needs a NUMERIC label"));
        } else if (task == Task.REGRESSION && column.distinct() < 2) {
            problems.add(new Problem(
                    "label",
                    "column '" + label + "' has " + column.distinct() + " distinct value(s); a constant needs no model"
                            + " (and its R² is not a number)"));
        } else if (task == Task.CLASSIFICATION && column.distinct() < 2) {
            problems.add(new Problem(
                    "label",
                    "column '" + label + "' has " + column.distinct()
                            + " distinct value(s); classification needs at least 2 classes"));
        } else if (task == Task.CLASSIFICATION && (column.distinctCapped() || column.distinct() > MAX_CLASSES)) {
            problems.add(new Problem(
                    "label",
                    "column '" + label + "' has " + column.distinct() + (column.distinctCapped() ? "+" : "")
                            + " distinct values; classification supports at most " + MAX_CLASSES + " classes"));
        } else if (task == Task.CLASSIFICATION
                && column.type().equals("NUMERIC")
                && column.distinct() > MANY_NUMERIC_CLASSES) {
            // Allowed (codes can be numbers), but a measurement taken for classes learns little: say so.
            notes.add("label '" + label + "' is a number with " + column.distinct() + " distinct values, each a class"
                    + " of its own; tabular-regression predicts a number");
        }
    }
}
