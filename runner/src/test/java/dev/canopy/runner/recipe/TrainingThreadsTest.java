package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.TabularModel;
import dev.canopy.runner.inference.ThreeTorchThreads;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ThreeTorchThreads.class)
class TrainingThreadsTest {

    private final Recipe recipe = new TabularClassificationRecipe();

    @Test
    void aSmallModelTrainsOnOneThreadAndTheThreadGetsItsCountBack() throws Exception {
        RecordingContext context =
                RecordingContext.penguins(Map.of("label", "species", "epochs", 2, "hiddenLayers", List.of(64, 32)));

        TrainingResult result = recipe.train(context);

        assertThat(context.threadsAtEpochEnd).containsExactly(1, 1);
        // A thread that starts meanwhile takes the process's count, not the training thread's.
        assertThat(context.newThreadsAtEpochEnd).containsExactly(3, 3);
        assertThat(JniUtils.getNumThreads()).isEqualTo(3);
        try (TabularModel model = TabularModel.load(result.model())) {
            ModelSpec spec = model.spec();
            long multiplyAdds = 32L * (spec.inputSize() * 64 + 64 * 32 + 32 * 3);
            assertThat(TrainingThreads.batchMultiplyAdds(spec, 32))
                    .isEqualTo(multiplyAdds)
                    .isLessThan(TrainingThreads.SMALL_BATCH_MULTIPLY_ADDS);
            assertThat(result.notes())
                    .contains(String.format(
                            Locale.ROOT,
                            "trained on one CPU thread: a batch's forward pass is %.2f million multiply-adds, under"
                                    + " the 2 million below which a second thread was measured to gain nothing",
                            multiplyAdds / 1e6));
        }
    }

    @Test
    void aLargeModelKeepsTheThreadsCount() throws Exception {
        // 128 rows x about 1.06 million multiply-adds a row: far above the limit.
        RecordingContext context = RecordingContext.penguins(
                Map.of("label", "species", "epochs", 1, "batchSize", 128, "hiddenLayers", List.of(1024, 1024)));

        TrainingResult result = recipe.train(context);

        assertThat(context.threadsAtEpochEnd).containsExactly(3);
        assertThat(JniUtils.getNumThreads()).isEqualTo(3);
        assertThat(result.notes()).noneMatch(note -> note.startsWith("trained on one CPU thread"));
    }

    @Test
    void aStoppedRunGivesTheThreadItsCountBack() {
        RecordingContext context = RecordingContext.penguins(
                        Map.of("label", "species", "epochs", 3, "hiddenLayers", List.of(64, 32)))
                .stoppingAfterEpoch(1);

        assertThatThrownBy(() -> recipe.train(context)).isInstanceOf(TrainingStopped.class);

        assertThat(context.threadsAtEpochEnd).containsExactly(1);
        assertThat(JniUtils.getNumThreads()).isEqualTo(3);
        assertThat(ThreeTorchThreads.ofNewThread()).isEqualTo(3);
    }

    @Test
    void aThreadOnOneThreadAlreadyIsLeftAsItIsWithoutANote() throws Exception {
        JniUtils.setNumThreads(1);
        RecordingContext context =
                RecordingContext.penguins(Map.of("label", "species", "epochs", 1, "hiddenLayers", List.of(64, 32)));

        TrainingResult result = recipe.train(context);

        assertThat(context.threadsAtEpochEnd).containsExactly(1);
        assertThat(result.notes()).noneMatch(note -> note.startsWith("trained on one CPU thread"));
    }

    @Test
    void aContextCanKeepTheThreadsCountForASmallModel() throws Exception {
        RecordingContext context = RecordingContext.penguins(
                        Map.of("label", "species", "epochs", 1, "hiddenLayers", List.of(64, 32)))
                .keepingThreads();

        recipe.train(context);

        assertThat(context.threadsAtEpochEnd).containsExactly(3);
    }

    @Test
    void theLimitSitsBetweenTheMeasuredSizes() {
        // The class comment's measurements, with the training-overhead benchmark's 22 inputs and 3 classes at batches
        // of 128: (64, 32) gained nothing from a second thread, (256, 256) gained 8 %.
        long small = 128L * (22 * 64 + 64 * 32 + 32 * 3);
        long wider = 128L * (22 * 256 + 256 * 256 + 256 * 3);

        assertThat(small).isLessThan(TrainingThreads.SMALL_BATCH_MULTIPLY_ADDS);
        assertThat(wider).isGreaterThan(TrainingThreads.SMALL_BATCH_MULTIPLY_ADDS);
    }
}
