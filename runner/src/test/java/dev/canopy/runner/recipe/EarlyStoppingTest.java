package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Early stopping: a run stops once val_loss has not improved for {@code earlyStoppingPatience} epochs, and its model
 * is the one of its best epoch, not its last; a run resumed while it was counting stops where the uninterrupted one
 * did, with the same model.
 */
class EarlyStoppingTest {

    /** A learning rate high enough for val_loss to turn up within a few epochs on the penguins. */
    private static final Map<String, Object> PARAMS =
            Map.of("label", "species", "epochs", 60, "batchSize", 16, "learningRate", 0.05, "earlyStoppingPatience", 2);

    private static final Pattern BEST = Pattern.compile("the model is the one of epoch (\\d+) \\(val_loss ([^)]+)\\)");

    private final Recipe recipe = new TabularClassificationRecipe();

    @Test
    void aRunStopsAfterItsPatienceAndKeepsTheModelOfItsBestEpoch() throws Exception {
        RecordingContext run = RecordingContext.penguins(PARAMS);
        TrainingResult result = recipe.train(run);

        assertThat(result.stoppedEarly()).isTrue();
        int best = bestEpoch(result);
        assertThat(result.epochs()).isEqualTo(best + 2).isLessThan(60);
        assertThat(run.epochMetrics).containsOnlyKeys(range(1, result.epochs()));
        double bestLoss = run.epochMetrics.get(best).get("val_loss");
        assertThat(run.epochMetrics.values())
                .allSatisfy(m -> assertThat(m.get("val_loss")).isGreaterThanOrEqualTo(bestLoss));
        assertThat(run.epochMetrics.get(result.epochs()).get("val_loss")).isGreaterThan(bestLoss);

        // The same run ended at its best epoch has that epoch's weights (its last): its test metrics are the early
        // stopped model's, whose last epoch's val_loss was worse. Run to the same last epoch without stopping early,
        // it ends with the best epoch's model too.
        TrainingResult endedAtBest = recipe.train(RecordingContext.penguins(with("epochs", best)));
        assertThat(endedAtBest.testMetrics()).isEqualTo(result.testMetrics());
        TrainingResult notStopped =
                recipe.train(RecordingContext.penguins(with("epochs", result.epochs(), "earlyStoppingPatience", 100)));
        assertThat(notStopped.stoppedEarly()).isFalse();
        assertThat(notStopped.testMetrics()).isEqualTo(result.testMetrics());
    }

    @Test
    void aRunResumedWhileItCountsEpochsWithoutImprovementStopsWhereTheUninterruptedOneDid() throws Exception {
        RecordingContext uninterrupted = RecordingContext.penguins(PARAMS);
        TrainingResult expected = recipe.train(uninterrupted);
        int best = bestEpoch(expected);
        // Stopped one epoch after the best: the checkpoint holds one epoch without improvement.
        RecordingContext interrupted = RecordingContext.penguins(PARAMS).stoppingAfterEpoch(best + 1);
        assertThatThrownBy(() -> recipe.train(interrupted)).isInstanceOf(TrainingStopped.class);

        RecordingContext resumed = interrupted.resumedFrom(interrupted.lastCheckpoint());
        TrainingResult result = resumed.trainedOnItsOwnThread(recipe);

        assertThat(result.stoppedEarly()).isTrue();
        assertThat(result.epochs()).isEqualTo(expected.epochs());
        assertThat(resumed.epochMetrics).containsOnlyKeys(range(best + 2, expected.epochs()));
        assertThat(bestEpoch(result)).isEqualTo(best);
        assertThat(result.testMetrics()).isEqualTo(expected.testMetrics());
        assertThat(result.model()).isEqualTo(expected.model());
    }

    private static int bestEpoch(TrainingResult result) {
        for (String note : result.notes()) {
            Matcher m = BEST.matcher(note);
            if (m.matches()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no note names the best epoch: " + result.notes());
    }

    private static Map<String, Object> with(Object... keysAndValues) {
        Map<String, Object> params = new HashMap<>(PARAMS);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            params.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return params;
    }

    private static Integer[] range(int from, int to) {
        Integer[] epochs = new Integer[to - from + 1];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = from + i;
        }
        return epochs;
    }
}
