package dev.canopy.api.worker;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A runner driven by a test through the real worker protocol: it registers with its own runner token and
 * claims, heartbeats and reports exactly when the test says so.
 */
final class FakeRunner {

    final String token;
    final String id;

    private FakeRunner(String token, String id) {
        this.token = token;
        this.id = id;
    }

    /** A runner token made by {@code userToken} (a team admin's narrows it to {@code team}). */
    static String runnerToken(String userToken, String team) {
        Map<String, Object> body =
                team == null ? Map.of("name", "fake runner") : Map.of("name", "fake runner", "team", team);
        return given().auth()
                .oauth2(userToken)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/workers/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
    }

    static FakeRunner register(String runnerToken, String name, int gpus) {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (int i = 0; i < gpus; i++) {
            devices.add(Map.of("index", i, "name", "Fake GPU", "memoryBytes", 80L << 30));
        }
        String id = given().auth()
                .oauth2(runnerToken)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "name",
                        name,
                        "host",
                        "test-host",
                        "cores",
                        4,
                        "memoryBytes",
                        16L << 30,
                        "gpus",
                        devices,
                        "recipes",
                        List.of("tabular-classification", "tabular-regression")))
                .post("/api/v1/workers/register")
                .then()
                .statusCode(200)
                .extract()
                .path("workerId");
        return new FakeRunner(runnerToken, id);
    }

    RequestSpecification api() {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    /** The claimed assignment, or null when none came within {@code waitSeconds}. */
    Map<String, Object> claim(int freeGpus, int waitSeconds) {
        Response response = api().body(Map.of("freeGpus", freeGpus, "waitSeconds", waitSeconds))
                .post("/api/v1/workers/{id}/claim", id);
        if (response.statusCode() == 204) {
            return null;
        }
        response.then().statusCode(200);
        return response.as(Map.class);
    }

    Response heartbeat(String runId, int attempt) {
        List<Map<String, Object>> runs =
                runId == null ? List.of() : List.of(Map.of("runId", runId, "attempt", attempt));
        return api().body(Map.of("draining", false, "runs", runs)).post("/api/v1/workers/{id}/heartbeat", id);
    }

    Response epoch(String runId, int attempt, int epoch, double valLoss) {
        return api().body(Map.of(
                        "attempt",
                        attempt,
                        "epoch",
                        epoch,
                        "epochs",
                        10,
                        "metrics",
                        Map.of("val_loss", valLoss),
                        "checkpoint",
                        false))
                .post("/api/v1/workers/{id}/runs/{run}/epochs", id, runId);
    }

    Response stopped(String runId, int attempt, String reason) {
        return api().body(Map.of("attempt", attempt, "reason", reason))
                .post("/api/v1/workers/{id}/runs/{run}/stopped", id, runId);
    }
}
