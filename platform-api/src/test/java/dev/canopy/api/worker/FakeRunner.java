package dev.canopy.api.worker;

import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A runner driven by a test through the real worker protocol: it registers with its own runner token and
 * claims, heartbeats and reports exactly when the test says so.
 */
public final class FakeRunner {

    public final String token;
    public final String id;

    private FakeRunner(String token, String id) {
        this.token = token;
        this.id = id;
    }

    /** A team of its own for runner tests: its admin's token and a runner token that serves only that team. */
    public record RunnerTeam(String team, String owner, String runnerToken) {}

    /** A new team with an admin, the penguins as dataset "penguins", experiment "exp" and a team runner token. */
    public static RunnerTeam newRunnerTeam() {
        String team = newTeam();
        String owner = newMember(team, "ADMIN");
        newPenguins(owner, team, "penguins");
        newExperiment(owner, team, "exp");
        return new RunnerTeam(team, owner, runnerToken(owner, team));
    }

    /** A runner token made by {@code userToken} (a team admin's narrows it to {@code team}). */
    public static String runnerToken(String userToken, String team) {
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
        return register(runnerToken, name, gpus, Map.of());
    }

    /** Registers with extra fields, such as {@code zone} and {@code pue}. */
    public static FakeRunner register(String runnerToken, String name, int gpus, Map<String, Object> extra) {
        String id = tryRegister(runnerToken, name, gpus, extra)
                .then()
                .statusCode(200)
                .extract()
                .path("workerId");
        return new FakeRunner(runnerToken, id);
    }

    /** The answer to a registration with {@code token}, whatever it is. */
    public static Response tryRegister(String token, String name, int gpus, Map<String, Object> extra) {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (int i = 0; i < gpus; i++) {
            devices.add(Map.of("index", i, "name", "Fake GPU", "memoryBytes", 80L << 30));
        }
        Map<String, Object> body = new HashMap<>(Map.of(
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
                List.of("tabular-classification", "tabular-regression")));
        body.putAll(extra);
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/workers/register");
    }

    public RequestSpecification api() {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    /** The claimed assignment, or null when none came within {@code waitSeconds}. */
    public Map<String, Object> claim(int freeGpus, int waitSeconds) {
        Response response = api().body(Map.of("freeGpus", freeGpus, "waitSeconds", waitSeconds))
                .post("/api/v1/workers/{id}/claim", id);
        if (response.statusCode() == 204) {
            return null;
        }
        response.then().statusCode(200);
        return response.as(Map.class);
    }

    public Response heartbeat(String runId, int attempt) {
        List<Map<String, Object>> runs =
                runId == null ? List.of() : List.of(Map.of("runId", runId, "attempt", attempt));
        return api().body(Map.of("draining", false, "runs", runs)).post("/api/v1/workers/{id}/heartbeat", id);
    }

    /** A heartbeat holding no run that says the runner drains. */
    public Response draining() {
        return api().body(Map.of("draining", true, "runs", List.of())).post("/api/v1/workers/{id}/heartbeat", id);
    }

    public Response epoch(String runId, int attempt, int epoch, double valLoss) {
        return epochReport(runId, attempt, epoch, valLoss, false);
    }

    /** Stores a (meaningless) checkpoint of {@code epoch}, then reports the epoch with it. */
    public Response checkpointedEpoch(String runId, int attempt, int epoch) {
        given().auth()
                .oauth2(token)
                .contentType("application/octet-stream")
                .body(new byte[] {4, 5, 6})
                .put("/api/v1/workers/{id}/runs/{run}/checkpoints/{epoch}?attempt=" + attempt, id, runId, epoch)
                .then()
                .statusCode(204);
        return epochReport(runId, attempt, epoch, 0.5, true);
    }

    private Response epochReport(String runId, int attempt, int epoch, double valLoss, boolean checkpoint) {
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
                        checkpoint))
                .post("/api/v1/workers/{id}/runs/{run}/epochs", id, runId);
    }

    public Response stopped(String runId, int attempt, String reason) {
        return api().body(Map.of("attempt", attempt, "reason", reason))
                .post("/api/v1/workers/{id}/runs/{run}/stopped", id, runId);
    }

    /** A heartbeat for one held run with its cumulative energy (and the session's idle energy, if any). */
    public Response heartbeat(String runId, int attempt, Map<String, Object> energy, Map<String, Object> idle) {
        Map<String, Object> body = new HashMap<>();
        body.put("draining", false);
        body.put(
                "runs",
                runId == null ? List.of() : List.of(Map.of("runId", runId, "attempt", attempt, "energy", energy)));
        if (idle != null) {
            body.put("idle", idle);
        }
        return api().body(body).post("/api/v1/workers/{id}/heartbeat", id);
    }

    /** Ends the attempt as failed, with its final energy reading. */
    public Response fail(String runId, int attempt, Map<String, Object> energy) {
        return api().body(Map.of("attempt", attempt, "reason", "test says so", "energy", energy))
                .post("/api/v1/workers/{id}/runs/{run}/fail", id, runId);
    }

    /** Uploads a (meaningless) model and completes the attempt with its final energy reading. */
    public Response complete(String runId, int attempt, Map<String, Object> energy) {
        putModel(runId, attempt).then().statusCode(204);
        return completeOnly(runId, attempt, energy);
    }

    /** Uploads a (meaningless) model for the attempt. */
    public Response putModel(String runId, int attempt) {
        return given().auth()
                .oauth2(token)
                .contentType("application/octet-stream")
                .body(new byte[] {1, 2, 3})
                .put("/api/v1/workers/{id}/runs/{run}/model?attempt=" + attempt, id, runId);
    }

    /** Completes the attempt (its model uploaded before) with its final energy reading. */
    public Response completeOnly(String runId, int attempt, Map<String, Object> energy) {
        return api().body(Map.of("attempt", attempt, "testMetrics", Map.of("test_accuracy", 0.9), "energy", energy))
                .post("/api/v1/workers/{id}/runs/{run}/complete", id, runId);
    }

    /** A cumulative energy reading: {@code seconds} of metering and {@code parts} (component maps). */
    @SafeVarargs
    public static Map<String, Object> energy(double seconds, Map<String, Object>... parts) {
        return Map.of(
                "since",
                "2026-01-01T00:00:00Z",
                "at",
                "2026-01-01T01:00:00Z",
                "seconds",
                seconds,
                "components",
                List.of(parts));
    }

    public static Map<String, Object> part(String component, Integer device, String method, Double joules) {
        Map<String, Object> part = new HashMap<>();
        part.put("component", component);
        part.put("method", method);
        part.put("detail", "test reading");
        if (device != null) {
            part.put("device", device);
            part.put("deviceName", "Fake GPU");
        }
        if (joules != null) {
            part.put("joules", joules);
        }
        return part;
    }
}
