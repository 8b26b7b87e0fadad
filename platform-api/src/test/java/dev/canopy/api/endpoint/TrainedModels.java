package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newReversedPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One team with model "species" trained twice on the penguins by the embedded runner (version 1: 2 epochs,
 * version 2: 30 epochs), made once per test JVM: training is what takes time. Tests make their own endpoints. (Needs
 * the embedded runner: {@code EmbeddedRunnerProfile}.)
 */
public final class TrainedModels {

    public static final String MODEL = "species";
    static final String REGRESSION_MODEL = "body-mass";
    static final String WIDE_MODEL = "wide";
    private static TrainedModels instance;
    private boolean regressionTrained;
    private boolean wideTrained;
    private boolean heldOutMade;
    static final String HELD_OUT_DATA = "penguins-reversed";

    public final String team;
    public final String token;

    private TrainedModels() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        newPenguins(token, team, "penguins");
        newExperiment(token, team, "species");
        train("tabular-classification", "species", 2, MODEL);
        train("tabular-classification", "species", 30, MODEL);
    }

    /**
     * The penguins in another order (other bytes than the data the team's models trained on), as dataset
     * "penguins-reversed" of the team, made on first use; returns its name.
     */
    synchronized String heldOutData() {
        if (!heldOutMade) {
            newReversedPenguins(token, team, HELD_OUT_DATA);
            heldOutMade = true;
        }
        return HELD_OUT_DATA;
    }

    /** A regression model of body mass (one version, trained on first use) of the team; returns its name. */
    synchronized String regressionModel() {
        if (!regressionTrained) {
            train("tabular-regression", "body_mass_g", 2, REGRESSION_MODEL);
            regressionTrained = true;
        }
        return REGRESSION_MODEL;
    }

    /**
     * A classifier whose records encode to about 500 inputs (two categorical columns, a and b, of 250 levels each,
     * one-hot), trained on first use on a generated dataset of 5,000 rows; returns its name.
     */
    synchronized String wideModel() {
        if (!wideTrained) {
            newDataset(token, team, "wide");
            StringBuilder rows = new StringBuilder("a,b,y\n");
            // 5,000 rows: 20 a level, so that the profile calls both columns categorical.
            for (int i = 0; i < 5000; i++) {
                rows.append('a')
                        .append(i % 250)
                        .append(",b")
                        .append(i * 7 % 250)
                        .append(',');
                rows.append(i % 2 == 0 ? "yes" : "no").append('\n');
            }
            csv(token, rows.toString())
                    .post("/api/v1/teams/{t}/datasets/wide/versions", team)
                    .then()
                    .statusCode(201);
            train("wide", "tabular-classification", "y", 1, WIDE_MODEL);
            wideTrained = true;
        }
        return WIDE_MODEL;
    }

    public static synchronized TrainedModels get() {
        if (instance == null) {
            instance = new TrainedModels();
        }
        return instance;
    }

    /** A new endpoint of the team for {@link #MODEL}, with nothing promoted; returns its name. */
    public String newEndpoint(String prefix) {
        return newEndpointNamed(unique(prefix).toLowerCase(Locale.ROOT));
    }

    /** A new endpoint of that name for the model, nothing promoted yet. */
    String newEndpointNamed(String name) {
        as(token)
                .body(Map.of("name", name, "model", MODEL))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201)
                .header("Location", containsString("/endpoints/" + name))
                .body("status", equalTo("EMPTY"));
        return name;
    }

    /** Promotes as {@code body} says on the endpoint, which must answer 201. */
    public void promote(String endpoint, Map<String, Object> body) {
        as(token)
                .body(body)
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(201);
    }

    /** The endpoint's audit trail, newest first. */
    public JsonPath history(String endpoint) {
        return as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /**
     * A schedule that retrains {@link #MODEL} on each new version of {@code data} and promotes it to the endpoint when
     * its test accuracy is at least {@code minimumAccuracy}.
     */
    public static Map<String, Object> schedule(String data, String name, String endpoint, double minimumAccuracy) {
        return Map.of(
                "name", name,
                "onNewDatasetVersion", data,
                "runTemplate",
                        Map.of(
                                "experiment",
                                "species",
                                "dataset",
                                Map.of("name", data),
                                "recipe",
                                "tabular-classification",
                                "params",
                                Map.of("label", "species", "epochs", 20),
                                "registerAs",
                                TrainedModels.MODEL),
                "promoteTo", endpoint,
                "promoteGates",
                        List.of(Map.of(
                                "type", "threshold", "metric", "test_accuracy", "op", ">=", "value", minimumAccuracy)));
    }

    /** Every penguin as a record of the five features and sex, as JSON would give them. */
    static List<Map<String, Object>> penguins() {
        List<Map<String, Object>> records = new ArrayList<>();
        try (InputStream in = TrainedModels.class.getResourceAsStream("/datasets/penguins.csv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            String[] header = lines[0].trim().split(",");
            for (int i = 1; i < lines.length; i++) {
                String[] cells = lines[i].trim().split(",", -1);
                Map<String, Object> record = new HashMap<>();
                for (int c = 1; c < header.length; c++) {
                    String cell = cells[c];
                    if (!cell.isEmpty() && !cell.equals("NA")) {
                        record.put(header[c], c == 1 || c == 6 ? cell : Double.valueOf(cell));
                    }
                }
                records.add(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }

    private void train(String recipe, String label, int epochs, String model) {
        train("penguins", recipe, label, epochs, model);
    }

    private void train(String dataset, String recipe, String label, int epochs, String model) {
        String run = as(token)
                .body(Map.of(
                        "experiment",
                        "species",
                        "dataset",
                        Map.of("name", dataset, "version", "latest"),
                        "recipe",
                        recipe,
                        "params",
                        Map.of("label", label, "epochs", epochs, "seed", 7),
                        "registerAs",
                        model,
                        // Ahead of runs other test classes left queued in the shared test database.
                        "priority",
                        100))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        await().atMost(Duration.ofMinutes(2)).until(() -> "FINISHED"
                .equals(as(token)
                        .get("/api/v1/teams/{t}/runs/{r}", team, run)
                        .then()
                        .extract()
                        .path("status")));
    }
}
