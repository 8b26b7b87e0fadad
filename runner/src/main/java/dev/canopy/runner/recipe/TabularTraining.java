package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.inference.TabularModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One run of a tabular recipe: read and split the data, fit the preprocessing (or take it from the checkpoint), train,
 * and measure the test split through the finished artifact itself, so that the test metrics describe exactly what
 * will be served.
 */
final class TabularTraining {

    private TabularTraining() {}

    static TrainingResult run(String recipe, Task task, TrainingContext context) throws TrainingFailure {
        TabularParams params = validParams(task, context);
        CsvTable table = CsvTable.read(context.dataset(), params.label(), params.features());
        if (table.rows().size() < TabularValidator.MIN_ROWS) {
            throw new TrainingFailure("only " + table.rows().size() + " rows have a label; at least "
                    + TabularValidator.MIN_ROWS + " are needed");
        }
        DataSplit split = split(table, params);
        Optional<TrainingCheckpoint> checkpoint = readCheckpoint(context);
        ModelSpec spec = checkpoint.isPresent()
                ? checkpoint.get().spec()
                : SpecFitter.fit(recipe, task, params, context.profile(), table, split.train());
        EncodedSplit train = EncodedSplit.of(table, split.train(), spec);
        EncodedSplit validation = EncodedSplit.of(table, split.validation(), spec);
        // Encoding the test rows now finds bad data before training rather than after it.
        EncodedSplit.of(table, split.test(), spec);
        ModelTraining.Outcome outcome = new ModelTraining(context, spec, params).run(train, validation, checkpoint);
        Map<String, Double> testMetrics = testMetrics(outcome.artifact(), table, split.test());
        return new TrainingResult(
                testMetrics,
                outcome.artifact(),
                outcome.epochs(),
                outcome.stoppedEarly(),
                notes(table, checkpoint, outcome));
    }

    /** The split of a table with the params' fractions and seed. */
    static DataSplit split(CsvTable table, TabularParams params) {
        return DataSplit.of(table.rows().size(), params.validationFraction(), params.testFraction(), params.seed());
    }

    /**
     * {@code test_*} metrics of an artifact on the table's rows of these indexes, scored {@link
     * HeldOutEvaluation#CHUNK} rows at a time: held as records all at once (a map per row), the test split of a
     * dataset of millions of rows could run the runner out of memory after its last epoch.
     */
    static Map<String, Double> testMetrics(byte[] artifact, CsvTable table, int[] rows) throws TrainingFailure {
        try (TabularModel model = TabularModel.load(artifact)) {
            EvaluationMetrics.Accumulator metrics = new EvaluationMetrics.Accumulator(model.spec());
            for (int start = 0; start < rows.length; start += HeldOutEvaluation.CHUNK) {
                TestSplit chunk = TestSplit.of(
                        table, Arrays.copyOfRange(rows, start, Math.min(rows.length, start + HeldOutEvaluation.CHUNK)));
                metrics.add(model.predict(chunk.records()), chunk.labels());
            }
            return metrics.metrics("test_");
        } catch (InvalidRecord e) {
            throw new TrainingFailure("test data cannot be encoded: " + e.getMessage(), e);
        }
    }

    private static TabularParams validParams(Task task, TrainingContext context) throws TrainingFailure {
        // Checked again because the profile or the params may have changed since the run was queued.
        Validation validation = TabularValidator.validate(context.params(), context.profile(), task);
        if (!validation.valid()) {
            throw new TrainingFailure("the params are not valid for this dataset: "
                    + validation.problems().stream()
                            .map(p -> p.field() + " " + p.problem())
                            .collect(Collectors.joining("; ")));
        }
        return TabularParams.of(validation.resolvedParams());
    }

    private static Optional<TrainingCheckpoint> readCheckpoint(TrainingContext context) throws TrainingFailure {
        if (context.checkpoint().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                TrainingCheckpoint.fromBytes(context.checkpoint().get().bytes()));
    }

    private static List<String> notes(
            CsvTable table, Optional<TrainingCheckpoint> checkpoint, ModelTraining.Outcome outcome) {
        List<String> notes = new ArrayList<>();
        if (table.droppedRows() > 0) {
            notes.add(table.droppedRows() + " rows left out: their label is missing");
        }
        checkpoint.ifPresent(c -> notes.add("resumed after epoch " + c.epoch()));
        if (outcome.stoppedEarly()) {
            notes.add("stopped early after epoch " + outcome.epochs() + ": val_loss has not improved since epoch "
                    + outcome.bestEpoch());
        }
        notes.add("the model is the one of epoch " + outcome.bestEpoch() + " (val_loss " + outcome.bestValLoss() + ")");
        outcome.threadsNote().ifPresent(notes::add);
        return notes;
    }
}
