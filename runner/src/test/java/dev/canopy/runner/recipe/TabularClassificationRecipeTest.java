package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.canopy.runner.inference.ModelSpec.Feature;
import dev.canopy.runner.inference.ModelSpec.Kind;
import dev.canopy.runner.inference.TabularModel;
import dev.canopy.runner.recipe.DatasetProfile.Column;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularClassificationRecipeTest {

    private final Recipe recipe = new TabularClassificationRecipe();

    @Test
    void reachesTestAccuracyOfAtLeast95PercentOnPenguinsSpeciesWithTheDefault30Epochs() throws Exception {
        RecordingContext context = RecordingContext.penguins(Map.of("label", "species"));

        TrainingResult result = recipe.train(context);

        assertThat(result.testMetrics()).containsOnlyKeys("test_loss", "test_accuracy", "test_f1_macro");
        assertThat(result.testMetrics().get("test_accuracy")).isGreaterThanOrEqualTo(0.95);
        assertThat(result.testMetrics().get("test_f1_macro")).isGreaterThanOrEqualTo(0.95);
        assertThat(result.epochs()).isEqualTo(context.epochMetrics.size());
    }

    @Test
    void reportsEveryEpochFromOneWithItsMetricsAndACheckpoint() throws Exception {
        RecordingContext context = RecordingContext.penguins(Map.of("label", "species", "epochs", 3));

        TrainingResult result = recipe.train(context);

        assertThat(result.epochs()).isEqualTo(3);
        assertThat(result.stoppedEarly()).isFalse();
        assertThat(context.epochMetrics).containsOnlyKeys(1, 2, 3);
        assertThat(context.epochMetrics.get(1))
                .containsOnlyKeys("train_loss", "val_loss", "val_accuracy", "val_f1_macro");
        assertThat(context.checkpoints).extracting(Checkpoint::epoch).containsExactly(1, 2, 3);
        assertThat(result.notes()).hasSize(2);
        assertThat(result.notes().get(0))
                .isEqualTo("the model is the one of epoch 3 (val_loss "
                        + context.epochMetrics.get(3).get("val_loss") + ")");
        // The default model is small (TrainingThreadsTest checks the note).
        assertThat(result.notes().get(1)).startsWith("trained on one CPU thread");
    }

    @Test
    void reportsProgressEveryTenBatchesAsAFractionOfTheWholeRun() throws Exception {
        // 240 training rows in batches of 8 = 30 batches per epoch: progress after batches 10, 20 and 30.
        RecordingContext context = RecordingContext.penguins(Map.of("label", "species", "epochs", 2, "batchSize", 8));

        recipe.train(context);

        List<Double> expected =
                IntStream.of(10, 20, 30, 40, 50, 60).mapToObj(b -> b / 60.0).toList();
        assertThat(context.progress).containsExactlyElementsOf(expected);
    }

    @Test
    void stopsAtTheFirstProgressCallThatThrowsTrainingStopped() throws Exception {
        RecordingContext context = RecordingContext.penguins(Map.of("label", "species", "epochs", 50, "batchSize", 8))
                .stoppingAtProgressCall(1);

        assertThatThrownBy(() -> recipe.train(context))
                .isInstanceOf(TrainingStopped.class)
                .hasMessage("cancelled");

        assertThat(context.progress).hasSize(1);
        assertThat(context.epochMetrics).isEmpty();
        // The engine is left in a usable state: the next run trains normally.
        assertThat(recipe.train(RecordingContext.penguins(Map.of("label", "species", "epochs", 1)))
                        .epochs())
                .isEqualTo(1);
    }

    @Test
    void leavesOutTheIdColumnOfASyntheticCsvAndTrainsOnTheRest(@TempDir Path directory) throws Exception {
        StringBuilder csv = new StringBuilder("id,x,member,churned\r\n");
        for (int row = 1; row <= 40; row++) {
            // Missing in five rows, so in the training split too: x gets a missing indicator.
            String x = row % 8 == 5 ? "NA" : String.valueOf(row % 7);
            csv.append(row)
                    .append(',')
                    .append(x)
                    .append(',')
                    .append(row % 3 == 0)
                    .append(',');
            csv.append(row % 2 == 0 ? "yes" : "no").append("\r\n");
        }
        Path file = Files.writeString(directory.resolve("churn.csv"), csv);
        DatasetProfile profile = new DatasetProfile(
                40,
                List.of(
                        new Column("id", "NUMERIC", 0, 40, false),
                        new Column("x", "NUMERIC", 5, 7, false),
                        new Column("member", "BOOLEAN", 0, 2, false),
                        new Column("churned", "BOOLEAN", 0, 2, false)));

        Validation validation = recipe.validate(Map.of("label", "churned", "epochs", 2), profile);
        TrainingResult result =
                recipe.train(new RecordingContext(file, profile, validation.resolvedParams(), Optional.empty()));

        assertThat(validation.notes()).containsExactly("column 'id' left out: looks like an identifier");
        try (TabularModel model = TabularModel.load(result.model())) {
            assertThat(model.spec().features())
                    .extracting(Feature::name, Feature::kind, Feature::missingIndicator)
                    .containsExactly(tuple("x", Kind.NUMERIC, true), tuple("member", Kind.BOOLEAN, false));
            assertThat(model.spec().labelVocabulary()).containsExactly("no", "yes");
        }
    }

    @Test
    void isFoundByServiceLoaderUnderItsName() {
        List<String> names = ServiceLoader.load(Recipe.class).stream()
                .map(provider -> provider.get().name())
                .toList();

        assertThat(names).contains("tabular-classification", "tabular-regression");
    }
}
