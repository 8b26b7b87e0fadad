package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.canopy.api.EmbeddedRunnerProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A schedule retrains on new data and promotes the new version through its gates, with nobody involved. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class RetrainingLoopTest {

    @Inject
    EntityManager entityManager;

    @Test
    @SuppressWarnings("unchecked")
    void aNewDatasetVersionEndsLiveOnTheEndpointWhenItsGatesPassAndNotWhenTheyFail() throws Exception {
        TrainedModels models = TrainedModels.get();
        String team = models.team;
        String token = models.token;
        String data = unique("loop");
        newPenguins(token, team, data);
        String endpoint = models.newEndpoint("loop");
        as(token)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(201);
        as(token)
                .body(TrainedModels.schedule(data, "retrain-" + data, endpoint, 0.5))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .body("promoteTo", equalTo(endpoint))
                .body("promoteGates[0].metric", equalTo("test_accuracy"));
        as(token)
                .body(TrainedModels.schedule(data, "strict-" + data, endpoint, 1.01))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of(
                        "name",
                        "x",
                        "onNewDatasetVersion",
                        data,
                        "promoteTo",
                        "no-such-endpoint",
                        "runTemplate",
                        TrainedModels.schedule(data, "x", endpoint, 0.5).get("runTemplate")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("promoteTo"));
        // A held-out gate on data the team lacks is refused when saved, not at every fire.
        Map<String, Object> noData = new HashMap<>(TrainedModels.schedule(data, "no-data-" + data, endpoint, 0.5));
        noData.put(
                "promoteGates",
                List.of(Map.of("type", "held-out", "metric", "accuracy", "dataset", "nope", "datasetVersion", "1")));
        as(token)
                .body(noData)
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("promoteGates[0].dataset"));
        // Nor on the data its runs train on: each new version would be scored on its own training rows.
        for (String version : new String[] {"latest", null}) {
            Map<String, Object> gate = new HashMap<>(Map.of("type", "held-out", "metric", "accuracy", "dataset", data));
            gate.put("datasetVersion", version);
            Map<String, Object> onItsOwnData =
                    new HashMap<>(TrainedModels.schedule(data, "own-data-" + data, endpoint, 0.5));
            onItsOwnData.put("promoteGates", List.of(gate));
            as(token)
                    .body(onItsOwnData)
                    .post("/api/v1/teams/{t}/schedules", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("promoteGates[0].datasetVersion"))
                    .body("details[0].problem", containsString("must not score it on"));
        }
        // Its runs must register versions of the model the endpoint serves, or nothing could be promoted.
        for (String registerAs : new String[] {"another-model", null}) {
            Map<String, Object> template = new HashMap<>((Map<String, Object>)
                    TrainedModels.schedule(data, "x", endpoint, 0.5).get("runTemplate"));
            template.put("registerAs", registerAs);
            Map<String, Object> mismatched =
                    new HashMap<>(TrainedModels.schedule(data, "mismatched-" + data, endpoint, 0.5));
            mismatched.put("runTemplate", template);
            as(token)
                    .body(mismatched)
                    .post("/api/v1/teams/{t}/schedules", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("promoteTo"))
                    .body("details[0].problem", containsString("registers"));
        }

        // A schedule whose endpoint is deleted before its run ends says so.
        String gone = models.newEndpoint("gone");
        as(token)
                .body(TrainedModels.schedule(data, "orphan-" + data, gone, 0.5))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        as(token).delete("/api/v1/teams/{t}/endpoints/{e}", team, gone).then().statusCode(204);
        // A schedule paused after its fire: pausing stops the loop, so its run's version is not promoted.
        as(token)
                .body(TrainedModels.schedule(data, "paused-" + data, endpoint, 0.5))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);

        csv(token, penguinsWithoutTheLastRows(10))
                .post("/api/v1/teams/{t}/datasets/{d}/versions", team, data)
                .then()
                .statusCode(201);
        // The fires ran before the upload answered; the runs are still queued or training.
        as(token)
                .post("/api/v1/teams/{t}/schedules/{s}/pause", team, "paused-" + data)
                .then()
                .statusCode(200);

        await().atMost(Duration.ofMinutes(2))
                .until(() -> models.history(endpoint).getList("kind").size() >= 3);
        JsonPath history = models.history(endpoint);
        assertThat(history.getList("kind", String.class)).containsExactlyInAnyOrder("PROMOTED", "PROMOTED", "REJECTED");
        JsonPath shown = as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(shown.getInt("liveVersion")).isGreaterThan(2);
        assertThat(history.getList("actor", String.class))
                .contains("schedule retrain-" + data, "schedule strict-" + data);
        assertThat(history.getList("reason", String.class))
                .anySatisfy(r -> assertThat(r).startsWith("retrained by schedule retrain-" + data));
        // What was not promoted is said on the schedule too, not only in the log.
        await().atMost(Duration.ofSeconds(30)).until(() -> lastError(token, team, "strict-" + data) != null);
        assertThat(lastError(token, team, "strict-" + data))
                .startsWith("the version of run ")
                .contains("was not promoted: promotion of " + TrainedModels.MODEL + ":")
                .contains("refused");
        await().atMost(Duration.ofMinutes(1)).until(() -> lastError(token, team, "orphan-" + data) != null);
        assertThat(lastError(token, team, "orphan-" + data))
                .endsWith("was not promoted: endpoint '" + gone + "' no longer exists");
        assertThat(lastError(token, team, "retrain-" + data)).isNull();
        await().atMost(Duration.ofMinutes(1)).until(() -> lastError(token, team, "paused-" + data) != null);
        assertThat(lastError(token, team, "paused-" + data)).endsWith("was not promoted: the schedule is paused");
        assertThat(models.history(endpoint).getList("kind")).hasSize(3);
        // Each promotion decided (its row goes just after its lastError is written), none waits to be taken up.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> QuarkusTransaction.requiringNew().call(() -> entityManager
                        .createNativeQuery("SELECT 1 FROM schedule_promotions p JOIN schedules s ON"
                                + " s.id = p.schedule_id WHERE s.name LIKE ?1")
                        .setParameter(1, "%-" + data)
                        .getResultList()
                        .isEmpty()));
    }

    static String lastError(String token, String team, String schedule) {
        return as(token)
                .get("/api/v1/teams/{t}/schedules/{s}", team, schedule)
                .then()
                .statusCode(200)
                .extract()
                .path("lastError");
    }

    static String penguinsWithoutTheLastRows(int rows) throws Exception {
        try (InputStream in = RetrainingLoopTest.class.getResourceAsStream("/datasets/penguins.csv")) {
            List<String> lines = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
            return String.join("\n", lines.subList(0, lines.size() - rows)) + "\n";
        }
    }
}
