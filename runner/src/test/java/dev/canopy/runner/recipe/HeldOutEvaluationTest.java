package dev.canopy.runner.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.runner.inference.PenguinModels;
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
            HeldOutEvaluation.Score first = HeldOutEvaluation.score(model, Penguins.csv());
            HeldOutEvaluation.Score all = HeldOutEvaluation.score(model, csv);
            Map<String, Double> once = first.metrics();
            Map<String, Double> chunked = all.metrics();

            assertThat(4 * 344).isGreaterThan(HeldOutEvaluation.CHUNK);
            assertThat(chunked.keySet()).containsExactly("test_loss", "test_accuracy", "test_f1_macro");
            assertThat(chunked.get("test_accuracy")).isEqualTo(once.get("test_accuracy"));
            assertThat(chunked.get("test_f1_macro")).isEqualTo(once.get("test_f1_macro"));
            assertThat(chunked.get("test_loss")).isCloseTo(once.get("test_loss"), within(1e-12));
            assertThat(first.rows()).isEqualTo(344);
            assertThat(all.rows()).isEqualTo(4 * 344);
            assertThat(all.unknownLabels()).isZero();
        } finally {
            Files.delete(csv);
        }
    }

    @Test
    void countsTheLabelledRowsAndThoseWithALabelTheModelDoesNotKnow() throws Exception {
        Map<String, Object> params = Map.of("label", "species", "epochs", 1);
        TrainingResult trained = new TabularClassificationRecipe().train(RecordingContext.penguins(params));
        List<String> lines = Files.readAllLines(Penguins.csv(), StandardCharsets.UTF_8);
        List<String> relabelled = new ArrayList<>(List.of(lines.get(0)));
        // species is the first column: ten Emperors, five without a label, the rest as they were.
        for (int row = 1; row < lines.size(); row++) {
            String line = lines.get(row);
            String rest = line.substring(line.indexOf(','));
            relabelled.add(row <= 10 ? "Emperor" + rest : row <= 15 ? rest : line);
        }
        Path csv = Files.createTempFile("held-out", ".csv");
        Files.write(csv, relabelled, StandardCharsets.UTF_8);
        try (TabularModel model = TabularModel.load(trained.model())) {
            HeldOutEvaluation.Score score = HeldOutEvaluation.score(model, csv);

            assertThat(score.rows()).isEqualTo(344 - 5);
            assertThat(score.unknownLabels()).isEqualTo(10);
        } finally {
            Files.delete(csv);
        }
        // Labels are read trimmed, as training reads them: " Adelie" is Adelie.
        List<String> spaced = new ArrayList<>(List.of(lines.get(0)));
        lines.subList(1, lines.size())
                .forEach(line -> spaced.add(line.isEmpty() || line.startsWith(",") ? line : " " + line));
        csv = Files.createTempFile("held-out", ".csv");
        Files.write(csv, spaced, StandardCharsets.UTF_8);
        try (TabularModel model = TabularModel.load(trained.model())) {
            HeldOutEvaluation.Score score = HeldOutEvaluation.score(model, csv);
            HeldOutEvaluation.Score plain = HeldOutEvaluation.score(model, Penguins.csv());

            assertThat(score.unknownLabels()).isZero();
            assertThat(score.metrics()).isEqualTo(plain.metrics());
        } finally {
            Files.delete(csv);
        }
    }

    @Test
    void aModelThatAnswersNaNScoresNaNNotTheFirstClass() throws Exception {
        for (Recipe recipe : List.of(new TabularClassificationRecipe(), new TabularRegressionRecipe())) {
            String label = recipe instanceof TabularClassificationRecipe ? "species" : "body_mass_g";
            Map<String, Object> params = Map.of("label", label, "epochs", 1);
            TrainingResult trained = recipe.train(RecordingContext.penguins(params));
            try (TabularModel broken = TabularModel.load(PenguinModels.withZeroScales(trained.model()))) {
                HeldOutEvaluation.Score score = HeldOutEvaluation.score(broken, Penguins.csv());

                // A NaN probability still names a label (the first class, Adelie: 44 % of the rows).
                assertThat(score.metrics()).isNotEmpty();
                assertThat(score.metrics().values()).as(recipe.name()).allMatch(v -> v.isNaN());
                assertThat(score.rows()).isPositive();
            }
        }
    }

    @Test
    void aLabelThatIsNoNumberIsTheDatasetsFaultNotTheModels() throws Exception {
        Map<String, Object> params = Map.of("label", "body_mass_g", "epochs", 1);
        TrainingResult trained = new TabularRegressionRecipe().train(RecordingContext.penguins(params));
        List<String> lines = Files.readAllLines(Penguins.csv(), StandardCharsets.UTF_8);
        int mass = List.of(lines.get(0).split(",")).indexOf("body_mass_g");
        List<String> relabelled = new ArrayList<>(lines);
        String[] cells = lines.get(3).split(",", -1);
        cells[mass] = "heavy";
        relabelled.set(3, String.join(",", cells));
        Path csv = Files.createTempFile("held-out", ".csv");
        Files.write(csv, relabelled, StandardCharsets.UTF_8);
        try (TabularModel model = TabularModel.load(trained.model())) {
            assertThatThrownBy(() -> HeldOutEvaluation.score(model, csv))
                    .isInstanceOf(TrainingFailure.class)
                    .hasMessage("row 3 of the dataset has the label 'heavy', not a finite number");
        } finally {
            Files.delete(csv);
        }
    }
}
