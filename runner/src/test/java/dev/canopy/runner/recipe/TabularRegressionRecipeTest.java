package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import ai.djl.engine.EngineException;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.ModelSpec.Task;
import dev.canopy.runner.inference.TabularModel;
import dev.canopy.runner.recipe.DatasetProfile.Column;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularRegressionRecipeTest {

    private final Recipe recipe = new TabularRegressionRecipe();

    @Test
    void reachesTestR2OfAtLeast075OnPenguinsBodyMassWithTheDefault30Epochs() throws Exception {
        RecordingContext context = RecordingContext.penguins(Map.of("label", "body_mass_g"));

        TrainingResult result = recipe.train(context);

        assertThat(result.testMetrics()).containsOnlyKeys("test_loss", "test_rmse", "test_mae", "test_r2");
        assertThat(result.testMetrics().get("test_r2")).isGreaterThanOrEqualTo(0.75);
        assertThat(context.epochMetrics.get(1))
                .containsOnlyKeys("train_loss", "val_loss", "val_rmse", "val_mae", "val_r2");
    }

    @Test
    void dropsRowsWithoutLabelAndSaysHowMany() throws Exception {
        TrainingResult result = recipe.train(RecordingContext.penguins(Map.of("label", "body_mass_g", "epochs", 1)));

        assertThat(result.notes()).contains("2 rows left out: their label is missing");
    }

    @Test
    void failsWithLearningRateAdviceWhenTheLossDiverges() {
        RecordingContext context = RecordingContext.penguins(Map.of("label", "body_mass_g", "learningRate", 1e6));

        assertThatThrownBy(() -> recipe.train(context))
                .isInstanceOf(TrainingFailure.class)
                .hasMessage("loss became infinite at epoch 1; lower learningRate (now 1000000.0)");
    }

    /** Rows 1 to 30 of x (as {@code x} writes it) and y = 2 × row, fields split by {@code separator}, profiled. */
    private static RecordingContext xy(
            Path directory, String separator, IntFunction<String> x, Map<String, Object> params) throws IOException {
        StringBuilder csv = new StringBuilder("x" + separator + "y\n");
        for (int row = 1; row <= 30; row++) {
            csv.append(x.apply(row)).append(separator).append(2 * row).append('\n');
        }
        Path file = Files.writeString(directory.resolve("data.csv"), csv);
        DatasetProfile profile = new DatasetProfile(
                30, List.of(new Column("x", "NUMERIC", 0, 30, false), new Column("y", "NUMERIC", 0, 30, false)));
        return new RecordingContext(file, profile, params, Optional.empty());
    }

    @Test
    void failsNamingColumnAndRowWhenANumericColumnHoldsText(@TempDir Path directory) throws Exception {
        RecordingContext context =
                xy(directory, ",", row -> row == 17 ? "abc" : String.valueOf(row), Map.of("label", "y"));

        assertThatThrownBy(() -> recipe.train(context))
                .isInstanceOf(TrainingFailure.class)
                .hasMessage("column 'x', dataset row 17: must be a number, got 'abc';"
                        + " fix the data or leave the column out of features");
    }

    @Test
    void readsAHeaderWithSpacesAfterItsCommasAsTheProfileDoes(@TempDir Path directory) throws Exception {
        TrainingResult result = recipe.train(xy(directory, ", ", String::valueOf, Map.of("label", "y", "epochs", 1)));

        assertThat(result.testMetrics()).containsKey("test_r2");
    }

    @Test
    void failsBeforeTheFirstEpochOnAColumnTooLargeToStandardise(@TempDir Path directory) throws Exception {
        RecordingContext context =
                xy(directory, ",", row -> row % 3 == 0 ? "1e160" : String.valueOf(row), Map.of("label", "y"));

        assertThatThrownBy(() -> recipe.train(context))
                .isInstanceOf(TrainingFailure.class)
                .hasMessageStartingWith("column 'x' has values too large to standardise");
        assertThat(context.epochMetrics).isEmpty();
    }

    /**
     * A finite but extreme value outside the training split standardises past what a float holds: the run failed at
     * epoch 1 advising a lower learning rate (validation) or finished with NaN test metrics (test).
     */
    @Test
    void failsBeforeTheFirstEpochNamingAValidationOrTestValueTooFarOutToStandardise(@TempDir Path directory)
            throws Exception {
        // Default fractions and seed; no row is left out, so dataset row = index + 1.
        DataSplit split = DataSplit.of(30, 0.15, 0.15, 42);
        for (int index : new int[] {split.validation()[0], split.test()[0]}) {
            RecordingContext context =
                    xy(directory, ",", row -> row == index + 1 ? "1e45" : String.valueOf(row), Map.of("label", "y"));

            assertThatThrownBy(() -> recipe.train(context))
                    .isInstanceOf(TrainingFailure.class)
                    .hasMessageStartingWith("column 'x', dataset row " + (index + 1) + ": '1e45' lies ")
                    .hasMessageEndingWith("; the model cannot answer for values more than 1000000 standard deviations"
                            + " away; fix the data or leave the column out of features");
            assertThat(context.epochMetrics).isEmpty();
        }
        // Far out (some ten million standard deviations) but finite once standardised: trained, as serving answers it.
        int index = split.test()[0];
        TrainingResult result = recipe.train(xy(
                directory,
                ",",
                row -> row == index + 1 ? "1e8" : String.valueOf(row),
                Map.of("label", "y", "epochs", 1)));
        assertThat(result.testMetrics().get("test_r2")).isFinite();
    }

    /**
     * x is missing in the file, but only in a row without a label (left out): the training split never sees it
     * missing, so an indicator input would keep its initial random weights. z is missing in training: it has one.
     */
    @Test
    void aMissingIndicatorOnlyWhereTheTrainingSplitHasMissingValues(@TempDir Path directory) throws Exception {
        StringBuilder csv = new StringBuilder("x,z,y\n");
        for (int row = 1; row <= 60; row++) {
            csv.append(row == 7 ? "" : String.valueOf(row))
                    .append(',')
                    .append(row % 3 == 0 ? "" : String.valueOf(row % 5))
                    .append(',')
                    .append(row == 7 ? "" : String.valueOf(2 * row))
                    .append('\n');
        }
        Path file = Files.writeString(directory.resolve("data.csv"), csv);
        DatasetProfile profile = new DatasetProfile(
                60,
                List.of(
                        new Column("x", "NUMERIC", 1, 59, false),
                        new Column("z", "NUMERIC", 20, 5, false),
                        new Column("y", "NUMERIC", 1, 59, false)));

        TrainingResult result =
                recipe.train(new RecordingContext(file, profile, Map.of("label", "y", "epochs", 1), Optional.empty()));

        try (TabularModel model = TabularModel.load(result.model())) {
            assertThat(model.spec().features())
                    .extracting(ModelSpec.Feature::name, ModelSpec.Feature::missingIndicator)
                    .containsExactly(tuple("x", false), tuple("z", true));
        }
    }

    @Test
    void failsWithOutOfMemoryAdviceForAnEngineOutOfMemoryError() {
        TabularParams params = TabularParams.of(
                TabularValidator.validate(Map.of("label", "body_mass_g"), Penguins.PROFILE, Task.REGRESSION)
                        .resolvedParams());
        EngineException error = new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB");

        assertThat(ModelTraining.outOfMemory(error, params))
                .get()
                .extracting(Throwable::getMessage)
                .isEqualTo("the engine ran out of memory; lower batchSize (now 32) or hiddenLayers (now [64, 32])");
        assertThat(ModelTraining.outOfMemory(new EngineException("shape mismatch"), params))
                .isEmpty();
    }
}
