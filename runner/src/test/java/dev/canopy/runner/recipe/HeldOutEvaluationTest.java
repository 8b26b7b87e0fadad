package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.runner.inference.TabularModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeldOutEvaluationTest {

    @Test
    void scoresADatasetChunkByChunkAsIfAllAtOnce() throws Exception {
        Map<String, Object> params = Map.of("label", "species", "epochs", 2);
        TrainingResult trained = new TabularClassificationRecipe().train(RecordingContext.penguins(params));
        // The penguins four times over: more rows than one chunk, the last chunk a partial one.
        List<String> lines = Files.readAllLines(Penguins.csv(), StandardCharsets.UTF_8);
        List<String> repeated = new ArrayList<>(List.of(lines.get(0)));
        for (int copy = 0; copy < 4; copy++) {
            repeated.addAll(lines.subList(1, lines.size()));
        }
        Path csv = Files.createTempFile("held-out", ".csv");
        Files.write(csv, repeated, StandardCharsets.UTF_8);
        try (TabularModel model = TabularModel.load(trained.model())) {
            Map<String, Double> once = HeldOutEvaluation.score(model, Penguins.csv());
            Map<String, Double> chunked = HeldOutEvaluation.score(model, csv);

            assertThat(4 * 344).isGreaterThan(HeldOutEvaluation.CHUNK);
            assertThat(chunked.keySet()).containsExactly("test_loss", "test_accuracy", "test_f1_macro");
            assertThat(chunked.get("test_accuracy")).isEqualTo(once.get("test_accuracy"));
            assertThat(chunked.get("test_f1_macro")).isEqualTo(once.get("test_f1_macro"));
            assertThat(chunked.get("test_loss")).isCloseTo(once.get("test_loss"), within(1e-12));
        } finally {
            Files.delete(csv);
        }
    }
}
