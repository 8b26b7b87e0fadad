package dev.canopy.api.run;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.runner.inference.TabularModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Upload → train on a runner (the one embedded in the control plane) → model version, and what can go wrong. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class TrainingFlowTest {

    String team;
    String token;

    @BeforeEach
    void data() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        newPenguins(token, team, "penguins");
        newExperiment(token, team, "species");
    }

    String submit(String recipe, Map<String, Object> params, String registerAs) {
        Map<String, Object> body = new HashMap<>(Map.of(
                "experiment",
                "species",
                "dataset",
                Map.of("name", "penguins", "version", "latest"),
                "recipe",
                recipe,
                "params",
                params));
        if (registerAs != null) {
            body.put("registerAs", registerAs);
        }
        return as(token)
                .body(body)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    JsonPath awaitEnd(String run, Duration within) {
        await().atMost(within).until(() -> {
            String status = as(token)
                    .get("/api/v1/teams/{t}/runs/{r}", team, run)
                    .then()
                    .extract()
                    .path("status");
            return !status.equals("QUEUED") && !status.equals("RUNNING");
        });
        return as(token)
                .get("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .extract()
                .jsonPath();
    }

    @Test
    void trainsPenguinSpeciesIntoAModelVersionWithLineage() throws Exception {
        String run = submit("tabular-classification", Map.of("label", "species", "epochs", 30), "penguin-species");
        JsonPath done = awaitEnd(run, Duration.ofMinutes(3));
        assertThat(done.getString("status")).isEqualTo("FINISHED");
        assertThat(done.getDouble("latestMetrics.test_accuracy")).isGreaterThanOrEqualTo(0.95);
        assertThat(done.getString("modelVersion.model")).isEqualTo("penguin-species");
        assertThat(done.getMap("params")).containsEntry("label", "species").containsEntry("hiddenLayers", "[64,32]");
        assertThat(done.getFloat("progress.fraction")).isEqualTo(1.0f);

        // One point per epoch, no step missing or repeated.
        List<Integer> steps = as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/val_accuracy", team, run)
                .then()
                .extract()
                .jsonPath()
                .getList("points.step", Integer.class);
        int epochs = done.getInt("progress.epoch");
        assertThat(steps)
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, epochs).boxed().toList());

        // The run's energy, metered by the runner: on this machine (no GPU, no RAPL) CPU and RAM from their models.
        JsonPath energy = done.using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertThat(energy.getBoolean("energy.final")).isTrue();
        assertThat(energy.getList("energy.components.component")).contains("CPU", "RAM");
        assertThat(energy.getList("energy.components.method")).isSubsetOf("model", "rapl", "counter");
        double kwh = energy.getDouble("energy.totalKwh");
        assertThat(kwh).isPositive();
        assertThat(energy.getString("emissions.intensity.zone")).isEqualTo("SWE");
        assertThat(energy.getDouble("emissions.kgCo2e"))
                .isCloseTo(kwh * energy.getDouble("emissions.intensity.gCo2ePerKwh") / 1000, within(1e-12));

        int version = done.getInt("modelVersion.version");
        as(token)
                .get("/api/v1/teams/{t}/models/penguin-species/versions/{v}", team, version)
                .then()
                .statusCode(200)
                .body("runId", equalTo(run))
                .body("dataset.name", equalTo("penguins"))
                .body("dataset.version", equalTo(1))
                .body("recipe", equalTo("tabular-classification"))
                .body("params.label", equalTo("species"))
                .body("spec.labelVocabulary", equalTo(List.of("Adelie", "Chinstrap", "Gentoo")))
                .body("metrics.test_accuracy", greaterThanOrEqualTo(0.95f))
                .body("energy.totalKwh", equalTo((float) kwh))
                .body("emissions.intensity.zone", equalTo("SWE"));

        byte[] artifact = as(token)
                .get("/api/v1/teams/{t}/models/penguin-species/versions/{v}/artifact", team, version)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        try (TabularModel model = TabularModel.load(artifact)) {
            assertThat(model.predict(List.of(GENTOO)).get(0).label()).isEqualTo("Gentoo");
        }
    }

    @Test
    void refusesParametersThatCannotWorkBeforeQueueing() {
        Map<String, Object> base = Map.of(
                "experiment", "species",
                "dataset", Map.of("name", "penguins", "version", "latest"),
                "recipe", "tabular-classification");
        expectProblem(base, Map.of("epochs", 5), "params.label");
        expectProblem(base, Map.of("label", "colour"), "params.label");
        expectProblem(base, Map.of("label", "species", "learningRatee", 0.1), "params.learningRatee");
        expectProblem(base, Map.of("label", "species", "epochs", -1), "params.epochs");

        csv(
                        token,
                        "x,y\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n7,a\n8,a\n9,a\n10,a\n11,a\n12,a\n13,a\n14,a\n15,a\n16,a\n17,a\n18,a\n19,a\n20,a\n21,a\n")
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        expectProblem(base, Map.of("label", "y"), "params.label");
        // Too few rows is the dataset's problem, not a parameter's.
        csv(token, "x,y\n1,a\n2,b\n3,a\n")
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        expectProblem(base, Map.of("label", "y"), "dataset");

        Map<String, Object> unknown = new HashMap<>(base);
        unknown.put("recipe", "gradient-boosting");
        unknown.put("params", Map.of("label", "species"));
        as(token)
                .body(unknown)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("recipe"))
                .body("message", containsString("tabular-classification"));
        as(token).get("/api/v1/teams/{t}/queue", team).then().body("size()", equalTo(0));
    }

    private void expectProblem(Map<String, Object> base, Map<String, Object> params, String field) {
        Map<String, Object> body = new HashMap<>(base);
        body.put("params", params);
        as(token)
                .body(body)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details.field", hasItem(field));
    }

    @Test
    void aFailedRunSaysWhyAndItsRunnerCarriesOn() {
        String diverging = submit("tabular-regression", Map.of("label", "body_mass_g", "learningRate", 1e6), null);
        JsonPath failed = awaitEnd(diverging, Duration.ofMinutes(2));
        assertThat(failed.getString("status")).isEqualTo("FAILED");
        assertThat(failed.getString("error")).contains("lower learningRate");

        String next = submit("tabular-regression", Map.of("label", "body_mass_g", "epochs", 10), null);
        JsonPath finished = awaitEnd(next, Duration.ofMinutes(2));
        assertThat(finished.getString("status")).isEqualTo("FINISHED");
        assertThat(finished.getMap("latestMetrics")).containsKeys("test_rmse", "test_mae", "test_r2");
    }

    @Test
    void aCancelledTrainingStopsWithinSeconds() {
        String run = submit(
                "tabular-classification",
                Map.of("label", "species", "epochs", 5000, "earlyStoppingPatience", 5000),
                null);
        await().atMost(Duration.ofMinutes(1)).until(() -> {
            Integer epoch = as(token)
                    .get("/api/v1/teams/{t}/runs/{r}", team, run)
                    .then()
                    .extract()
                    .path("progress.epoch");
            return epoch != null && epoch >= 2;
        });
        as(token).post("/api/v1/teams/{t}/runs/{r}/cancel", team, run).then().statusCode(200);
        long cancelled = System.nanoTime();
        JsonPath killed = awaitEnd(run, Duration.ofSeconds(30));
        assertThat(killed.getString("status")).isEqualTo("KILLED");
        assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(10));
        // Where it stopped stays; a time left does not.
        assertThat(killed.getInt("progress.epoch")).isGreaterThanOrEqualTo(2);
        assertThat(killed.getString("progress.etaSeconds")).isNull();
    }
}
