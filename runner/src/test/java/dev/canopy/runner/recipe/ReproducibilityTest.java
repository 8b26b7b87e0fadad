package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReproducibilityTest {

    private static final Map<String, Object> PARAMS = Map.of("label", "species", "epochs", 6, "batchSize", 16);

    private final Recipe recipe = new TabularClassificationRecipe();

    @Test
    void trainingTwiceWithTheSameSeedGivesIdenticalMetricsAndModel() throws Exception {
        RecordingContext first = RecordingContext.penguins(PARAMS);
        RecordingContext second = RecordingContext.penguins(PARAMS);

        TrainingResult one = recipe.train(first);
        TrainingResult two = recipe.train(second);

        assertThat(second.epochMetrics).isEqualTo(first.epochMetrics);
        assertThat(two.testMetrics()).isEqualTo(one.testMetrics());
        assertThat(two.model()).isEqualTo(one.model());
    }

    @Test
    void anotherSeedGivesOtherMetrics() throws Exception {
        RecordingContext first = RecordingContext.penguins(PARAMS);
        RecordingContext other =
                RecordingContext.penguins(Map.of("label", "species", "epochs", 6, "batchSize", 16, "seed", 7));

        recipe.train(first);
        recipe.train(other);

        assertThat(other.epochMetrics.get(1)).isNotEqualTo(first.epochMetrics.get(1));
    }

    @Test
    void runResumedFromTheCheckpointOfEpoch3RepeatsEpochs4To6OfTheUninterruptedRun() throws Exception {
        RecordingContext uninterrupted = RecordingContext.penguins(PARAMS);
        TrainingResult expected = recipe.train(uninterrupted);
        RecordingContext interrupted = RecordingContext.penguins(PARAMS).stoppingAfterEpoch(3);
        assertThatThrownBy(() -> recipe.train(interrupted)).isInstanceOf(TrainingStopped.class);

        RecordingContext resumed = interrupted.resumedFrom(interrupted.lastCheckpoint());
        TrainingResult result = resumed.trainedOnItsOwnThread(recipe);

        assertThat(interrupted.lastCheckpoint().epoch()).isEqualTo(3);
        assertThat(resumed.epochMetrics).containsOnlyKeys(4, 5, 6);
        for (int epoch = 4; epoch <= 6; epoch++) {
            assertThat(resumed.epochMetrics.get(epoch)).isEqualTo(uninterrupted.epochMetrics.get(epoch));
        }
        assertThat(result.testMetrics()).isEqualTo(expected.testMetrics());
        assertThat(result.model()).isEqualTo(expected.model());
        assertThat(result.epochs()).isEqualTo(6);
        assertThat(result.notes()).contains("resumed after epoch 3");
    }

    @Test
    void runResumedAfterItsLastEpochOnlyWritesTheModel() throws Exception {
        RecordingContext uninterrupted = RecordingContext.penguins(PARAMS);
        TrainingResult expected = recipe.train(uninterrupted);

        RecordingContext resumed = uninterrupted.resumedFrom(uninterrupted.lastCheckpoint());
        TrainingResult result = recipe.train(resumed);

        assertThat(resumed.epochMetrics).isEmpty();
        assertThat(result.model()).isEqualTo(expected.model());
        assertThat(result.testMetrics()).isEqualTo(expected.testMetrics());
    }
}
