package dev.canopy.api.worker;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newReversedPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.canopy.api.LockWaits;
import dev.canopy.api.artifact.ArtifactStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue through the worker protocol, with runners the test drives itself: leases and fencing, the reaper,
 * cancellation, team limits, GPU placement, priorities and long-poll wake-ups.
 */
@QuarkusTest
@TestProfile(QueueProtocolTest.ShortLeases.class)
class QueueProtocolTest {

    public static class ShortLeases implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "canopy.queue.lease", "4s",
                    "canopy.queue.reaper-every", "1s",
                    "canopy.queue.max-attempts", "2");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Inject
    WorkerSessions sessions;

    @Inject
    ArtifactStore store;

    String team;
    String owner;
    String runnerToken;

    @BeforeEach
    void team() {
        FakeRunner.RunnerTeam fixture = FakeRunner.newRunnerTeam();
        team = fixture.team();
        owner = fixture.owner();
        runnerToken = fixture.runnerToken();
    }

    /** A trained run on the team's penguins, with {@code extra} fields (priority, resources, maxAttempts). */
    static Map<String, Object> trainedRun(String recipe, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of(
                "experiment",
                "exp",
                "dataset",
                Map.of("name", "penguins", "version", "latest"),
                "recipe",
                recipe,
                "params",
                Map.of("label", "species")));
        body.putAll(extra);
        return body;
    }

    /** A run of a recipe only a test's runner offers (the control plane queues it unchecked). */
    static String submit(String owner, String team, String recipe, int priority) {
        return as(owner)
                .body(trainedRun(recipe, Map.of("priority", priority)))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    String submit(int priority, int gpus) {
        return as(owner)
                .body(trainedRun(
                        "tabular-classification", Map.of("resources", Map.of("gpus", gpus), "priority", priority)))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .body("status", equalTo("QUEUED"))
                .extract()
                .path("id");
    }

    /** Waits for the run to leave RUNNING and checks that it failed for losing {@code runners} runners. */
    void awaitFailedAfterLosing(String run, int runners) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !status(run).equals("RUNNING"));
        as(owner)
                .get("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .body("status", equalTo("FAILED"))
                .body("error", containsString("stopped responding " + (runners == 1 ? "once" : runners + " times")));
    }

    /** Sets the team's limits, as a platform admin does. */
    void setQuota(Map<String, Object> quota) {
        as(adminToken()).body(quota).put("/api/v1/teams/{t}/quota", team).then().statusCode(200);
    }

    String status(String run) {
        return as(owner)
                .get("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .extract()
                .path("status");
    }

    @Test
    void aStaleAttemptIsRefusedOnceTheReaperGaveTheRunToAnotherRunner() {
        String run = submit(0, 0);
        FakeRunner first = FakeRunner.register(runnerToken, unique("a"), 0);
        Map<String, Object> claimed = first.claim(0, 0);
        assertThat(claimed).containsEntry("runId", run).containsEntry("attempt", 1);
        assertThat(status(run)).isEqualTo("RUNNING");

        // No heartbeat: the lease (4 s) expires and the reaper puts the run back in the queue.
        await().atMost(Duration.ofSeconds(15)).until(() -> status(run).equals("QUEUED"));
        FakeRunner second = FakeRunner.register(runnerToken, unique("b"), 0);
        assertThat(second.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", 2);

        first.epoch(run, 1, 1, 0.9)
                .then()
                .statusCode(409)
                .body("code", equalTo("CONFLICT"))
                .body("details[0].field", equalTo("attempt"));
        first.heartbeat(run, 1).then().statusCode(200).body("lost", hasItem(run));
        // Every other write of the stale attempt is refused too, and changes nothing.
        Map<String, Object> energy = FakeRunner.energy(1, FakeRunner.part("CPU", null, "model", 1.0));
        first.stopped(run, 1, "CANCELLED").then().statusCode(409);
        first.fail(run, 1, energy).then().statusCode(409);
        first.putModel(run, 1).then().statusCode(409);
        first.completeOnly(run, 1, energy).then().statusCode(409);
        // An attempt that is no number, or none at all, is a 400 naming it (not a 404, nor attempt 0).
        for (String attempt : List.of("?attempt=abc", "")) {
            second.api()
                    .get("/api/v1/workers/{w}/runs/{r}/dataset" + attempt, second.id, run)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("attempt"));
        }
        assertThat(status(run)).isEqualTo("RUNNING");
        second.epoch(run, 2, 1, 0.5).then().statusCode(200).body("cancel", equalTo(false));
        as(owner)
                .get("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .body("attempt", equalTo(2))
                .body("latestMetrics.val_loss", equalTo(0.5f));
    }

    @Test
    void aRunWhoseRunnersKeepDisappearingFailsWhenItsAttemptsAreUsedUp() {
        String run = submit(0, 0);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        for (int attempt = 1; attempt <= 2; attempt++) {
            await().atMost(Duration.ofSeconds(15)).until(() -> runner.claim(0, 0) != null);
            // Started (a heartbeat holds it), then gone.
            runner.heartbeat(run, attempt).then().statusCode(200);
            await().atMost(Duration.ofSeconds(15)).until(() -> !status(run).equals("RUNNING"));
        }
        awaitFailedAfterLosing(run, 2);
    }

    /**
     * A lease no heartbeat confirmed (the claim's answer never reached a runner: killed in its long poll, its
     * connection reset) expires at no cost, three times per run; after those, such leases count as lost runners too
     * (runners that keep dying before their first heartbeat).
     */
    @Test
    void aLeaseNoHeartbeatConfirmedCostsTheRunNothingAFewTimes() {
        String run = submit(0, 0);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(runner.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", attempt);
            await().atMost(Duration.ofSeconds(15)).until(() -> status(run).equals("QUEUED"));
        }
        // Free ones used: the next two unconfirmed leases use the run's two attempts up.
        for (int attempt = 4; attempt <= 5; attempt++) {
            assertThat(runner.claim(0, 0)).containsEntry("attempt", attempt);
            await().atMost(Duration.ofSeconds(15)).until(() -> !status(run).equals("RUNNING"));
        }
        awaitFailedAfterLosing(run, 2);
    }

    @Test
    void aRunSetsItsOwnMaximumOfAttempts() {
        Map<String, Object> once = trainedRun("tabular-classification", Map.of("maxAttempts", 1));
        Map<String, Object> never = new HashMap<>(once);
        never.put("maxAttempts", 0);
        as(owner)
                .body(never)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("maxAttempts"));
        String run = as(owner)
                .body(once)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .body("maxAttempts", equalTo(1))
                .extract()
                .path("id");
        // One lost runner is all it allows (the platform's default in this profile is 2).
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", run);
        runner.heartbeat(run, 1).then().statusCode(200);
        awaitFailedAfterLosing(run, 1);
    }

    @Test
    void attemptsADrainingRunnerGaveBackDoNotCountAgainstTheRun() {
        String run = submit(0, 0);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        // Three drains, more than max-attempts (2): each gives the run back, and it stays in the queue.
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(runner.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", attempt);
            runner.stopped(run, attempt, "DRAINING").then().statusCode(204);
            assertThat(status(run)).isEqualTo("QUEUED");
        }
        // Its first lost runner requeues it; the second uses its attempts up.
        assertThat(runner.claim(0, 0)).containsEntry("attempt", 4);
        runner.heartbeat(run, 4).then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> status(run).equals("QUEUED"));
        assertThat(runner.claim(0, 0)).containsEntry("attempt", 5);
        runner.heartbeat(run, 5).then().statusCode(200);
        awaitFailedAfterLosing(run, 2);
    }

    @Test
    void heartbeatsKeepALeaseAlive() {
        String run = submit(0, 0);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        runner.claim(0, 0);
        // Heartbeats every half second for more than twice the 4 s lease: the run stays with its runner.
        await().during(Duration.ofSeconds(9))
                .atMost(Duration.ofSeconds(12))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> runner.heartbeat(run, 1).jsonPath().getList("lost").isEmpty()
                        && status(run).equals("RUNNING"));
    }

    @Test
    void cancellingAWaitingRunKillsItAndAHeldRunStopsItsRunner() {
        String waiting = submit(0, 0);
        as(owner)
                .post("/api/v1/teams/{t}/runs/{r}/cancel", team, waiting)
                .then()
                .body("status", equalTo("KILLED"));

        String held = submit(0, 0);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", held);
        as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, held).then().body("status", equalTo("RUNNING"));
        runner.heartbeat(held, 1).then().body("cancel", hasItem(held));
        runner.epoch(held, 1, 1, 0.7).then().body("cancel", equalTo(true));
        runner.stopped(held, 1, "CANCELLED").then().statusCode(204);
        assertThat(status(held)).isEqualTo("KILLED");
    }

    @Test
    void aCancelAfterTheLastReportStillEndsTheRunKilledWithNoVersionRegistered() throws SQLException {
        String model = unique("model");
        String run = as(owner)
                .body(trainedRun("tabular-classification", Map.of("registerAs", model)))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        FakeRunner runner = runnerHolding(run);
        runner.epoch(run, 1, 10, 0.2).then().statusCode(200).body("cancel", equalTo(false));

        // The cancel comes while the runner evaluates the test split, after its last epoch report.
        as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, run).then().statusCode(200);
        runner.putModel(run, 1).then().statusCode(204);
        String uploaded = "models/" + teamId() + "/" + run + ".zip";
        assertThat(store.exists(uploaded)).isTrue();
        runner.completeOnly(run, 1, FakeRunner.energy(60, FakeRunner.part("CPU", null, "model", 1000.0)))
                .then()
                .statusCode(204);

        assertThat(status(run)).isEqualTo("KILLED");
        as(owner)
                .get("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(404);
        // Nothing will register it: it leaves the artifact store with the run's end.
        assertThat(store.exists(uploaded)).isFalse();
    }

    /** A run cancelled after its last report, whose runner then fails it (bad data found late, say), ends KILLED. */
    @Test
    void aCancelAfterTheLastReportEndsTheRunKilledEvenWhenItsRunnerThenFailsIt() {
        String run = submit(0, 0);
        FakeRunner runner = runnerHolding(run);
        runner.epoch(run, 1, 10, 0.2).then().statusCode(200).body("cancel", equalTo(false));

        as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, run).then().statusCode(200);
        runner.fail(run, 1, FakeRunner.energy(60, FakeRunner.part("CPU", null, "model", 1000.0)))
                .then()
                .statusCode(204);

        assertThat(status(run)).isEqualTo("KILLED");
    }

    private UUID teamId() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT id FROM teams WHERE name = ?")) {
            query.setString(1, team);
            try (java.sql.ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getObject(1, UUID.class);
            }
        }
    }

    @Test
    void aClientsMetricBatchCannotHideTheRunnersMetrics() {
        String run = submit(0, 0);
        FakeRunner runner = runnerHolding(run);
        // A client logging to the trained run under the id a runner's epoch report used to have.
        as(owner)
                .body(Map.of(
                        "batchId", "epoch-1", "points", List.of(Map.of("key", "gpu_temp", "step", 1, "value", 60))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(200)
                .body("accepted", equalTo(1));
        runner.epoch(run, 1, 1, 0.7).then().statusCode(200);

        as(owner)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/val_loss", team, run)
                .then()
                .statusCode(200)
                .body("points.step", equalTo(List.of(1)));
        // The runners' batch ids are theirs.
        as(owner)
                .body(Map.of("batchId", "canopy:epoch-2", "points", List.of(Map.of("key", "x", "step", 2, "value", 1))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("batchId"));
    }

    @Test
    void aRunsCheckpointsAreDeletedOnceItEndsWhicheverWay() {
        Map<String, Object> energy = FakeRunner.energy(60, FakeRunner.part("CPU", null, "model", 1000.0));
        String finished = submit(0, 0);
        FakeRunner runner = runnerHolding(finished);
        runner.checkpointedEpoch(finished, 1, 1).then().statusCode(200);
        assertThat(store.exists(checkpoint(finished))).isTrue();
        runner.complete(finished, 1, energy).then().statusCode(204);
        assertThat(store.exists(checkpoint(finished))).isFalse();

        String failed = submit(0, 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", failed);
        runner.checkpointedEpoch(failed, 1, 1).then().statusCode(200);
        runner.fail(failed, 1, energy).then().statusCode(204);
        assertThat(store.exists(checkpoint(failed))).isFalse();

        // Given back by a draining runner, then cancelled while it waits to resume.
        String cancelled = submit(0, 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", cancelled);
        runner.checkpointedEpoch(cancelled, 1, 1).then().statusCode(200);
        runner.stopped(cancelled, 1, "DRAINING").then().statusCode(204);
        assertThat(store.exists(checkpoint(cancelled))).isTrue();
        as(owner)
                .post("/api/v1/teams/{t}/runs/{r}/cancel", team, cancelled)
                .then()
                .body("status", equalTo("KILLED"));
        assertThat(store.exists(checkpoint(cancelled))).isFalse();
    }

    /** A runner's uploads stream to disk: past canopy.runners.max-artifact-size (4M in tests) they are 413. */
    @Test
    void aRunnersUploadsAreRefusedPastTheirLimitAndLeaveNothing() {
        String run = submit(0, 0);
        FakeRunner runner = runnerHolding(run);
        byte[] tooLarge = new byte[5 << 20];
        for (String path : List.of("checkpoints/1", "model")) {
            // Held for another 4 s lease: a 5 MiB upload on a busy machine takes a while, and without it the lease
            // could expire first (409).
            runner.heartbeat(run, 1).then().statusCode(200);
            given().auth()
                    .oauth2(runner.token)
                    .contentType("application/octet-stream")
                    .body(tooLarge)
                    .put("/api/v1/workers/{id}/runs/{run}/" + path + "?attempt=1", runner.id, run)
                    .then()
                    .statusCode(413)
                    .body("code", equalTo("PAYLOAD_TOO_LARGE"))
                    .body("message", containsString("limited to 4194304 bytes"));
        }
        assertThat(store.exists(checkpoint(run))).isFalse();
        runner.heartbeat(run, 1).then().statusCode(200);
        runner.checkpointedEpoch(run, 1, 1).then().statusCode(200);
        assertThat(store.exists(checkpoint(run))).isTrue();
    }

    @TestHTTPResource("/")
    URI server;

    /**
     * A checkpoint streamed in while the runner's token is revoked is not stored: the next attempt would resume from
     * it. The upload was let in with a working token; its commit checks the token again.
     */
    @Test
    void aCheckpointWhoseRunnersTokenIsRevokedWhileItStreamsIsNotStored() throws Exception {
        String run = submit(0, 0);
        FakeRunner runner = runnerHolding(run);
        PipedOutputStream body = new PipedOutputStream();
        PipedInputStream streamed = new PipedInputStream(body, 1 << 20);
        HttpRequest request = HttpRequest.newBuilder(
                        server.resolve("api/v1/workers/" + runner.id + "/runs/" + run + "/checkpoints/1?attempt=1"))
                .header("Authorization", "Bearer " + runner.token)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> streamed))
                .build();
        CompletableFuture<HttpResponse<String>> upload = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString());
        // Past what the server buffers before it hands the body over: the upload is let in and streams.
        body.write(new byte[64 << 10]);
        body.flush();
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);

        revokeRunnerToken();
        body.write(new byte[1024]);
        body.close();

        HttpResponse<String> response = upload.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(store.exists(checkpoint(run))).isFalse();
    }

    /** Revokes the team's runner token in the database, as a revocation by another control plane would. */
    private void revokeRunnerToken() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement revoke = connection.prepareStatement("UPDATE api_tokens SET revoked_at = now()"
                        + " WHERE kind = 'RUNNER' AND team_id = (SELECT id FROM teams WHERE name = ?)")) {
            revoke.setString(1, team);
            assertThat(revoke.executeUpdate()).isEqualTo(1);
        }
    }

    private static String checkpoint(String run) {
        return "checkpoints/" + run + "/epoch-1.ckpt";
    }

    @Test
    void aTrainedRunsDatasetCannotBeChangedAfterItWasSubmitted() {
        String run = submit(0, 0);
        as(owner)
                .body(Map.of("name", "penguins", "version", "latest"))
                .post("/api/v1/teams/{t}/runs/{r}/inputs", team, run)
                .then()
                .statusCode(409)
                .body("message", containsString("inputs can be added to tracked runs only"));
    }

    @Test
    void aCancelThatMeetsACompletionLeavesTheRunFinished() throws Exception {
        String run = submit(0, 0);
        runnerHolding(run);

        // The completion commits after the cancel read the run as RUNNING, before the cancel reaches the queue.
        Response cancel = cancelWhile(run, c -> {
            execute(c, "DELETE FROM run_queue WHERE run_id = ?", run);
            execute(c, "UPDATE runs SET status = 'FINISHED', ended_at = now() WHERE id = ?", run);
        });

        cancel.then().statusCode(409).body("message", containsString("already ended FINISHED"));
        assertThat(status(run)).isEqualTo("FINISHED");
    }

    @Test
    void aCancelThatMeetsARequeueRemovesTheRunFromTheQueue() throws Exception {
        String run = submit(0, 0);
        FakeRunner runner = runnerHolding(run);

        // The reaper (or a draining runner) gives the run back to the queue while the cancel is on its way.
        Response cancel = cancelWhile(run, c -> {
            execute(
                    c,
                    "UPDATE run_queue SET state = 'QUEUED', worker_id = NULL, lease_until = NULL WHERE run_id = ?",
                    run);
            execute(c, "UPDATE runs SET status = 'QUEUED' WHERE id = ?", run);
        });

        cancel.then().statusCode(200).body("status", equalTo("KILLED"));
        // Left in the queue, the killed run would be claimed and refused there, over and over.
        as(owner).get("/api/v1/teams/{t}/queue", team).then().body("runId", not(hasItem(run)));
        assertThat(runner.claim(0, 0)).isNull();
    }

    @Test
    void aCancelAskedForJustBeforeTheRunnerDrainsKillsTheRun() {
        String run = submit(0, 0);
        FakeRunner leaving = runnerHolding(run);
        as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, run).then().body("status", equalTo("RUNNING"));

        // The runner stops for its drain before it heard of the cancel.
        leaving.stopped(run, 1, "DRAINING").then().statusCode(204);

        assertThat(status(run)).isEqualTo("KILLED");
        FakeRunner next = FakeRunner.register(runnerToken, unique("next"), 0);
        assertThat(next.claim(0, 0)).isNull();
    }

    @Test
    void aRunThatEndedWhileStillQueuedLeavesTheQueueAndTheClaimGoesOn() throws Exception {
        String ended = submit(5, 0);
        String next = submit(0, 0);
        try (Connection connection = dataSource.getConnection()) {
            execute(connection, "UPDATE runs SET status = 'KILLED', ended_at = now() WHERE id = ?", ended);
        }

        // Claimed first (its priority is higher), it would be refused, and the runner would stop.
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", next);

        as(owner).get("/api/v1/teams/{t}/queue", team).then().body("runId", not(hasItem(ended)));
        assertThat(status(ended)).isEqualTo("KILLED");
    }

    /**
     * A runner whose token is revoked while it waits in a long poll is leased nothing: the run queued then waits for
     * another runner. (Its next call would be refused with 401.)
     */
    @Test
    void aRunnerRevokedWhileItWaitsForWorkIsLeasedNothing() throws Exception {
        FakeRunner revoked = FakeRunner.register(runnerToken, unique("revoked"), 0);
        CompletableFuture<Map<String, Object>> waiting = CompletableFuture.supplyAsync(() -> revoked.claim(0, 3));
        // Authenticated and waiting: a revocation that came first would make the claim a 401.
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.claimWaiting(UUID.fromString(revoked.id)));
        revokeRunnerToken();
        String run = submit(0, 0);

        assertThat(waiting.get(30, TimeUnit.SECONDS)).isNull();
        assertThat(status(run)).isEqualTo("QUEUED");
        FakeRunner next = FakeRunner.register(FakeRunner.runnerToken(owner, team), unique("next"), 0);
        assertThat(next.claim(0, 0)).containsEntry("runId", run);
    }

    /**
     * A runner's newer claim ends its older one still waiting on this control plane (a runner killed in a long poll
     * and restarted, or one whose connection was reset, claims again): left to its deadline, the older could lease a
     * run whose answer nobody reads, and the run would lose an attempt when the lease expired.
     */
    @Test
    void aRunnersNewerClaimEndsItsAbandonedOne() throws Exception {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("reclaiming"), 0);
        CompletableFuture<Map<String, Object>> abandoned = CompletableFuture.supplyAsync(() -> runner.claim(0, 20));
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.claimWaiting(UUID.fromString(runner.id)));
        CompletableFuture<Map<String, Object>> newer = CompletableFuture.supplyAsync(() -> runner.claim(0, 20));

        assertThat(abandoned.get(10, TimeUnit.SECONDS)).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions.claimWaiting(UUID.fromString(runner.id)));
        String run = submit(0, 0);
        assertThat(newer.get(30, TimeUnit.SECONDS)).containsEntry("runId", run);
    }

    /**
     * A team's own metric batch on a trained run that creates a series while the runner reports the same new key:
     * the epoch report waits for the batch (both lock the run first) and adds to its series, instead of failing on
     * the series' name. The test plays the batch: it holds the run and creates the series.
     */
    @Test
    void anEpochReportThatMeetsABatchCreatingItsSeriesAddsToIt() throws Exception {
        String run = submit(0, 0);
        FakeRunner runner = runnerHolding(run);

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> {
                    // The lock a batch takes (Hibernate's PESSIMISTIC_WRITE), which foreign key checks pass.
                    execute(c, "SELECT 1 FROM runs WHERE id = ? FOR NO KEY UPDATE", run);
                    execute(c, "INSERT INTO metric_series (run_id, key) VALUES (?, 'val_loss')", run);
                },
                "%(from runs|into metric_series)%",
                () -> runner.epoch(run, 1, 1, 0.5).statusCode(),
                c -> {});

        assertThat(status).isEqualTo(200);
        as(owner)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/val_loss", team, run)
                .then()
                .statusCode(200)
                .body("totalPoints", equalTo(1));
    }

    /** A new runner of the team that claimed {@code run}, the only run waiting. */
    private FakeRunner runnerHolding(String run) {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("r"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", run);
        return runner;
    }

    /**
     * Cancels the run while the test holds its queue row; once the cancel waits for it, lands {@code meanwhile} and
     * lets the cancel go on.
     */
    private Response cancelWhile(String run, LockWaits.Work meanwhile) throws Exception {
        return LockWaits.callWhileHeld(
                dataSource,
                c -> execute(c, "SELECT 1 FROM run_queue WHERE run_id = ? FOR UPDATE", run),
                "%from run_queue where run_id%for update%",
                () -> as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, run),
                meanwhile);
    }

    private static void execute(Connection connection, String sql, String run) throws SQLException {
        LockWaits.execute(connection, sql, UUID.fromString(run));
    }

    @Test
    void aDrainingRunnerGivesItsRunBackToTheQueue() {
        String run = submit(0, 0);
        FakeRunner leaving = FakeRunner.register(runnerToken, unique("leaving"), 0);
        leaving.claim(0, 0);
        leaving.stopped(run, 1, "DRAINING").then().statusCode(204);
        assertThat(status(run)).isEqualTo("QUEUED");
        FakeRunner next = FakeRunner.register(runnerToken, unique("next"), 0);
        assertThat(next.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", 2);
    }

    @Test
    void aTeamLimitHoldsItsRunsBackButNotOtherTeams() {
        setQuota(Map.of("maxConcurrentRuns", 1));
        as(owner).get("/api/v1/teams/{t}/quota", team).then().body("maxConcurrentRuns", equalTo(1));
        String first = submit(0, 0);
        String second = submit(0, 0);
        FakeRunner a = FakeRunner.register(runnerToken, unique("a"), 0);
        FakeRunner b = FakeRunner.register(runnerToken, unique("b"), 0);
        assertThat(a.claim(0, 0)).containsEntry("runId", first);
        assertThat(b.claim(0, 0)).isNull();
        assertThat(status(second)).isEqualTo("QUEUED");
        as(owner)
                .get("/api/v1/teams/{t}/queue", team)
                .then()
                .body("runId", equalTo(List.of(first, second)))
                .body("position", equalTo(Arrays.asList(null, 1)));
        a.stopped(first, 1, "CANCELLED");
        assertThat(b.claim(0, 0)).containsEntry("runId", second);
        as(owner)
                .body(Map.of("maxGpus", 0))
                .put("/api/v1/teams/{t}/quota", team)
                .then()
                .statusCode(403);
    }

    @Test
    void aWaitingClaimIsWokenWhenAnEndingRunFreesItsTeamsSlot() throws Exception {
        setQuota(Map.of("maxConcurrentRuns", 1));
        String first = submit(0, 0);
        String second = submit(0, 0);
        FakeRunner a = FakeRunner.register(runnerToken, unique("a"), 0);
        FakeRunner b = FakeRunner.register(runnerToken, unique("b"), 0);
        assertThat(a.claim(0, 0)).containsEntry("runId", first);
        long claiming = System.nanoTime();
        CompletableFuture<Map<String, Object>> claim = CompletableFuture.supplyAsync(() -> b.claim(0, 20));
        // Give the claim time to find the team at its limit and start waiting.
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        a.fail(first, 1, FakeRunner.energy(1, FakeRunner.part("CPU", null, "model", 1.0)))
                .then()
                .statusCode(204);
        assertThat(claim.get(20, TimeUnit.SECONDS)).containsEntry("runId", second);
        // Woken by NOTIFY: before the 2 s polling fallback would end the wait (timed from the claim's start, as the
        // fallback is).
        assertThat(Duration.ofNanos(System.nanoTime() - claiming)).isLessThan(Duration.ofMillis(1900));
    }

    /**
     * A run whose last checkpoint is gone from the artifact store fails at its resume, saying why, instead of each
     * attempt failing with a 500 until its attempts ran out.
     */
    @Test
    void aRunWhoseCheckpointIsMissingFailsWhenItWouldResume() throws Exception {
        String run = submit(0, 0);
        FakeRunner first = FakeRunner.register(runnerToken, unique("first"), 0);
        first.claim(0, 0);
        first.checkpointedEpoch(run, 1, 1).then().statusCode(200);
        first.stopped(run, 1, "DRAINING").then().statusCode(204);
        store.delete(RunFiles.checkpointKey(UUID.fromString(run), 1));

        FakeRunner next = FakeRunner.register(runnerToken, unique("next"), 0);
        assertThat(next.claim(0, 0)).containsEntry("runId", run).containsEntry("checkpointEpoch", 1);
        next.api()
                .get("/api/v1/workers/{w}/runs/{r}/checkpoint?attempt=2", next.id, run)
                .then()
                .statusCode(409)
                .body("message", containsString("missing from the artifact store"));
        as(owner)
                .get("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .body("status", equalTo("FAILED"))
                .body("error", startsWith("its checkpoint of epoch 1 is missing from the artifact store"));
        assertThat(next.claim(0, 0)).isNull();
    }

    /** A runner is online while its last heartbeat is within a lease, by the database's clock that wrote it. */
    @Test
    void aRunnerWhoseLastHeartbeatIsALeaseOldIsOffline() throws Exception {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("silent"), 0);
        String state = "find { it.id == '" + runner.id + "' }.state";
        given().auth().oauth2(owner).get("/api/v1/workers").then().body(state, equalTo("ONLINE"));
        try (Connection connection = dataSource.getConnection()) {
            LockWaits.execute(
                    connection,
                    "UPDATE workers SET last_heartbeat_at = now() - interval '5 seconds' WHERE id = ?",
                    UUID.fromString(runner.id));
        }
        given().auth().oauth2(owner).get("/api/v1/workers").then().body(state, equalTo("OFFLINE"));
        runner.heartbeat(null, 0).then().statusCode(200);
        given().auth().oauth2(owner).get("/api/v1/workers").then().body(state, equalTo("ONLINE"));
    }

    /** The queue comes a page at a time, positions counting through the whole queue. */
    @Test
    void theQueueIsListedAPageAtATime() {
        String low = submit(0, 0);
        String high = submit(5, 0);
        String middle = submit(1, 0);
        as(owner)
                .get("/api/v1/teams/{t}/queue?limit=2", team)
                .then()
                .statusCode(200)
                .body("runId", equalTo(List.of(high, middle)))
                .body("position", equalTo(List.of(1, 2)));
        as(owner)
                .get("/api/v1/teams/{t}/queue?limit=2&offset=2", team)
                .then()
                .statusCode(200)
                .body("runId", equalTo(List.of(low)))
                .body("position", equalTo(List.of(3)));
        as(owner).get("/api/v1/teams/{t}/queue", team).then().body("runId", equalTo(List.of(high, middle, low)));
        for (String bad : List.of("limit=0", "limit=1001", "limit=x", "offset=-1")) {
            as(owner)
                    .get("/api/v1/teams/{t}/queue?" + bad, team)
                    .then()
                    .statusCode(400)
                    .body("code", equalTo("INVALID_REQUEST"))
                    .body("details[0].field", equalTo(bad.substring(0, bad.indexOf('='))));
        }
    }

    @Test
    void aTeamAtItsGpuLimitKeepsItsCpuRunsGoing() {
        setQuota(Map.of("maxGpus", 2));
        String big = submit(10, 2);
        String small = submit(5, 1);
        String cpu = submit(0, 0);
        FakeRunner a = FakeRunner.register(runnerToken, unique("a"), 2);
        FakeRunner b = FakeRunner.register(runnerToken, unique("b"), 2);
        assertThat(a.claim(2, 0)).containsEntry("runId", big);
        // 2 + 1 GPUs would pass the limit: the 1-GPU run waits, the CPU run behind it does not.
        assertThat(b.claim(2, 0)).containsEntry("runId", cpu);
        assertThat(b.claim(2, 0)).isNull();
        assertThat(status(small)).isEqualTo("QUEUED");
        a.stopped(big, 1, "CANCELLED").then().statusCode(204);
        assertThat(b.claim(2, 0)).containsEntry("runId", small);
    }

    @Test
    void aRunTheTeamsLimitsCanNeverLetStartSaysSo() {
        setQuota(Map.of("maxGpus", 1));
        as(owner)
                .body(trainedRun("tabular-classification", Map.of("gpus", 2)))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .body("warnings", hasItem(containsString("the team's limit is 1 (maxGpus)")));
        setQuota(Map.of("maxConcurrentRuns", 0));
        as(owner)
                .body(trainedRun("tabular-classification", Map.of()))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .body("warnings", hasItem(containsString("allows no concurrent runs (maxConcurrentRuns 0)")));
    }

    @Test
    void aRunnableRunIsFoundBehindAnyNumberOfTeamsAtTheirLimits() {
        // A recipe only this test's runner offers: it sees no other test's runs.
        String recipe = unique("probe");
        String platformRunners = FakeRunner.runnerToken(adminToken(), null);
        FakeRunner probe = FakeRunner.register(platformRunners, unique("probe"), 0, Map.of("recipes", List.of(recipe)));
        for (int i = 0; i < 25; i++) {
            FakeRunner.RunnerTeam full = FakeRunner.newRunnerTeam();
            as(adminToken())
                    .body(Map.of("maxConcurrentRuns", 0))
                    .put("/api/v1/teams/{t}/quota", full.team())
                    .then()
                    .statusCode(200);
            submit(full.owner(), full.team(), recipe, 10);
        }
        String runnable = submit(owner, team, recipe, 0);
        assertThat(probe.claim(0, 0)).containsEntry("runId", runnable);
    }

    /**
     * A claim that holds one limited team's lock passes over a team whose lock another claim holds instead of waiting:
     * two claims that each held one and waited for the other's deadlocked (PostgreSQL then aborted one, a 500).
     */
    @Test
    void aClaimHoldingOneTeamsLockPassesOverATeamAnotherClaimIsDecidingOn() throws Exception {
        String recipe = unique("locks");
        FakeRunner probe = FakeRunner.register(
                FakeRunner.runnerToken(adminToken(), null), unique("locks"), 0, Map.of("recipes", List.of(recipe)));
        FakeRunner.RunnerTeam full = FakeRunner.newRunnerTeam();
        FakeRunner.RunnerTeam limited = FakeRunner.newRunnerTeam();
        for (var quota : Map.of(full.team(), 0, limited.team(), 5).entrySet()) {
            as(adminToken())
                    .body(Map.of("maxConcurrentRuns", quota.getValue()))
                    .put("/api/v1/teams/{t}/quota", quota.getKey())
                    .then()
                    .statusCode(200);
        }
        // First in the queue: the claim takes the full team's lock, then finds the run cannot start.
        submit(full.owner(), full.team(), recipe, 10);
        String behind = submit(limited.owner(), limited.team(), recipe, 5);

        try (Connection deciding = dataSource.getConnection()) {
            // Another claim deciding on the limited team right now.
            deciding.setAutoCommit(false);
            try (PreparedStatement lock = deciding.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended('canopy-quota-' || id, 0)) FROM teams"
                            + " WHERE name = ?")) {
                lock.setString(1, limited.team());
                lock.execute();
            }
            CompletableFuture<Map<String, Object>> claim = CompletableFuture.supplyAsync(() -> probe.claim(0, 0));
            try {
                assertThat(claim.get(10, TimeUnit.SECONDS)).isNull();
            } finally {
                deciding.rollback();
            }
        }
        assertThat(probe.claim(0, 0)).containsEntry("runId", behind);
    }

    /** A recipe only runners have checks the params itself, but they are held to the limits of any run's params. */
    @Test
    void aRunnerOnlyRecipesParamsKeepTheLimitsOfRunParams() {
        String recipe = unique("runner-only");
        FakeRunner.register(runnerToken, unique("offers"), 0, Map.of("recipes", List.of(recipe)));
        for (Map<String, Object> params : List.<Map<String, Object>>of(
                Map.of("notes", "x".repeat(6_001)), Map.of("", 1), Map.of("k".repeat(251), 1))) {
            as(owner)
                    .body(trainedRun(recipe, Map.of("params", params)))
                    .post("/api/v1/teams/{t}/runs", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", startsWith("params"));
        }
        as(owner)
                .body(trainedRun(recipe, Map.of("params", Map.of("notes", "x".repeat(6_000)))))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201);
    }

    /**
     * A recipe only another team's runner offers is unknown to this team: a run of it would wait for ever, and the
     * answer would tell which recipes that team's runners offer.
     */
    @Test
    void aRecipeOnlyAnotherTeamsRunnerOffersIsUnknownHere() {
        String recipe = unique("their-own");
        FakeRunner.RunnerTeam other = FakeRunner.newRunnerTeam();
        FakeRunner.register(other.runnerToken(), unique("theirs"), 0, Map.of("recipes", List.of(recipe)));

        as(owner)
                .body(trainedRun(recipe, Map.of()))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("recipe"))
                .body("details[0].problem", startsWith("unknown recipe '" + recipe + "'"));
        as(other.owner())
                .body(trainedRun(recipe, Map.of()))
                .post("/api/v1/teams/{t}/runs", other.team())
                .then()
                .statusCode(201);
    }

    @Test
    void aRunnerCannotClaimMoreGpusThanItRegistered() {
        String gpuRun = submit(0, 2);
        FakeRunner cpuOnly = FakeRunner.register(runnerToken, unique("cpu"), 0);
        assertThat(cpuOnly.claim(2, 0)).isNull();
        assertThat(status(gpuRun)).isEqualTo("QUEUED");
    }

    @Test
    void gpuRunsGoOnlyToRunnersWithEnoughFreeGpusAndPriorityComesFirst() {
        String gpuRun = submit(0, 2);
        String low = submit(-5, 0);
        String high = submit(10, 0);
        FakeRunner cpu = FakeRunner.register(runnerToken, unique("cpu"), 0);
        FakeRunner gpu = FakeRunner.register(runnerToken, unique("gpu"), 2);
        assertThat(cpu.claim(0, 0)).containsEntry("runId", high);
        assertThat(cpu.claim(0, 0)).containsEntry("runId", low);
        assertThat(cpu.claim(0, 0)).isNull();
        assertThat(gpu.claim(1, 0)).isNull();
        assertThat(gpu.claim(2, 0)).containsEntry("runId", gpuRun).containsEntry("gpus", 2);
        given().auth()
                .oauth2(owner)
                .get("/api/v1/workers")
                .then()
                .body("find { it.id == '" + gpu.id + "' }.gpus.size()", equalTo(2))
                .body("find { it.id == '" + gpu.id + "' }.currentRuns", equalTo(List.of(gpuRun)))
                .body("find { it.id == '" + gpu.id + "' }.state", equalTo("ONLINE"));
    }

    @Test
    void aRunTakesItsGpusAsGpusOrResourcesGpusButNotBoth() {
        String shorthand = as(owner)
                .body(trainedRun("tabular-classification", Map.of("gpus", 1)))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .body("gpus", equalTo(1))
                .extract()
                .path("id");
        as(owner)
                .body(trainedRun("tabular-classification", Map.of("gpus", 1, "resources", Map.of("gpus", 2))))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("gpus"));
        as(owner)
                .body(Map.of("experiment", "exp", "gpus", 1))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("recipe"));

        FakeRunner gpu = FakeRunner.register(runnerToken, unique("gpu"), 1);
        assertThat(gpu.claim(1, 0)).containsEntry("runId", shorthand).containsEntry("gpus", 1);
    }

    @Test
    void aDrainingRunnersWaitingClaimEndsEmptyAtOnce() throws Exception {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("draining"), 0);
        CompletableFuture<Map<String, Object>> claim = CompletableFuture.supplyAsync(() -> runner.claim(0, 20));
        // Give the claim time to find the queue empty and start waiting.
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        long said = System.nanoTime();
        runner.draining().then().statusCode(200);
        assertThat(claim.get(20, TimeUnit.SECONDS)).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - said)).isLessThan(Duration.ofSeconds(1));
        // A draining runner is given nothing, even with a run waiting that it could take.
        String run = submit(0, 0);
        assertThat(runner.claim(0, 5)).isNull();
        assertThat(FakeRunner.register(runnerToken, unique("other"), 0).claim(0, 0))
                .containsEntry("runId", run);
    }

    @Test
    void aRunnerThatSaidItDrainsToAnotherControlPlaneIsLeasedNothing() throws Exception {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("drains-elsewhere"), 0);
        CompletableFuture<Map<String, Object>> claim = CompletableFuture.supplyAsync(() -> runner.claim(0, 20));
        // Give the claim time to find the queue empty and start waiting.
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        // What its heartbeat to another control plane writes; no drain is signalled here.
        try (Connection connection = dataSource.getConnection()) {
            LockWaits.execute(
                    connection, "UPDATE workers SET draining = true WHERE id = ?", UUID.fromString(runner.id));
        }
        String run = submit(0, 0);

        // Woken by the run, the waiting claim ends empty at once.
        assertThat(claim.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(runner.claim(0, 0)).isNull();
        assertThat(FakeRunner.register(runnerToken, unique("other"), 0).claim(0, 0))
                .containsEntry("runId", run);
    }

    @Test
    void aWaitingClaimIsWokenWhenARunArrives() throws Exception {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("idle"), 0);
        long claiming = System.nanoTime();
        CompletableFuture<Map<String, Object>> claim = CompletableFuture.supplyAsync(() -> runner.claim(0, 20));
        // Give the claim time to find the queue empty and start waiting.
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        String run = submit(0, 0);
        Map<String, Object> claimed = claim.get();
        assertThat(claimed).containsEntry("runId", run);
        // Woken by NOTIFY: before the 20 s wait or the 2 s polling fallback would end it. Timed from the claim's
        // start, as the fallback is: timed from the submit, 500 ms later, the fallback itself passed (1.5 s < 1.9 s).
        assertThat(Duration.ofNanos(System.nanoTime() - claiming)).isLessThan(Duration.ofMillis(1900));
    }

    @Test
    void runnerTokensSpeakOnlyTheWorkerProtocol() {
        given().auth()
                .oauth2(runnerToken)
                .get("/api/v1/me")
                .then()
                .statusCode(403)
                .body("code", equalTo("FORBIDDEN"));
        FakeRunner.tryRegister(owner, "x", 0, Map.of()).then().statusCode(403);
        FakeRunner mine = FakeRunner.register(runnerToken, unique("mine"), 0);
        String other = FakeRunner.runnerToken(owner, team);
        FakeRunner theirs = FakeRunner.register(other, unique("theirs"), 0);
        given().auth()
                .oauth2(other)
                .contentType("application/json")
                .body(Map.of("draining", false, "runs", List.of()))
                .post("/api/v1/workers/{id}/heartbeat", mine.id)
                .then()
                .statusCode(404);
        assertThat(theirs.id).isNotEqualTo(mine.id);
    }

    @Test
    void aRunnerMessageWithANullWhereAnObjectBelongsIs400() {
        String token = FakeRunner.runnerToken(owner, team);
        List<Object> nullGpu = new ArrayList<>();
        nullGpu.add(null);
        FakeRunner.tryRegister(token, unique("nulls"), 0, Map.of("gpus", nullGpu))
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("gpus[0]"));
        FakeRunner runner = FakeRunner.register(token, unique("nulls"), 0);
        runner.api()
                .body("{\"draining\": false, \"runs\": [null]}")
                .post("/api/v1/workers/{id}/heartbeat", runner.id)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runs[0]"));
    }

    /** A runner token of the team, made by its admin: {id, token}. */
    JsonPath newRunnerToken() {
        return as(owner)
                .body(Map.of("name", "node", "team", team))
                .post("/api/v1/workers/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }

    void revoke(String tokenId) {
        as(owner).delete("/api/v1/tokens/{id}", tokenId).then().statusCode(204);
    }

    @Test
    void runnerNamesArePerTeamSoAnotherTeamCanNeitherProbeNorTakeOverARunner() {
        String run = submit(0, 0);
        JsonPath ours = newRunnerToken();
        String name = unique("node");
        FakeRunner node = FakeRunner.register(ours.getString("token"), name, 0);
        assertThat(node.claim(0, 0)).containsEntry("runId", run);
        String otherTeam = newTeam();
        String otherRunnerToken = FakeRunner.runnerToken(newMember(otherTeam, "ADMIN"), otherTeam);

        // The same name in another team is another runner, while ours is active and after its token is revoked.
        FakeRunner theirs = FakeRunner.register(otherRunnerToken, name, 0);
        assertThat(theirs.id).isNotEqualTo(node.id);
        revoke(ours.getString("id"));
        FakeRunner again = FakeRunner.register(otherRunnerToken, name, 0);

        assertThat(again.id).isEqualTo(theirs.id);
        again.api()
                .body(Map.of("draining", false, "runs", List.of()))
                .post("/api/v1/workers/{id}/heartbeat", node.id)
                .then()
                .statusCode(404);
        again.heartbeat(run, 1).then().statusCode(200).body("lost", hasItem(run));
        again.api()
                .get("/api/v1/workers/{w}/runs/{r}/dataset?attempt=1", again.id, run)
                .then()
                .statusCode(409);
    }

    @Test
    void aNewTokenTakesARunnerNameOnlyOnceTheOldOneIsRevokedAndNotTheRunsItHeld() {
        String run = submit(0, 0);
        JsonPath first = newRunnerToken();
        JsonPath second = newRunnerToken();
        String name = unique("node");
        FakeRunner node = FakeRunner.register(first.getString("token"), name, 0);
        assertThat(node.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", 1);
        FakeRunner.tryRegister(second.getString("token"), name, 0, Map.of())
                .then()
                .statusCode(409)
                .body("details[0].problem", equalTo("taken"));

        revoke(first.getString("id"));
        FakeRunner successor = FakeRunner.register(second.getString("token"), name, 0);

        assertThat(successor.id).isEqualTo(node.id);
        // The run it held is back in the queue at once: the new token cannot report on the old attempt.
        assertThat(status(run)).isEqualTo("QUEUED");
        successor.heartbeat(run, 1).then().statusCode(200).body("lost", hasItem(run));
        assertThat(successor.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", 2);
    }

    @Test
    void twoTokensRegisteringOneNameAtOnceCannotBothHaveIt() throws Exception {
        String first = newRunnerToken().getString("token");
        String second = newRunnerToken().getString("token");
        for (int round = 0; round < 5; round++) {
            String name = unique("race");
            CompletableFuture<Integer> one = CompletableFuture.supplyAsync(
                    () -> FakeRunner.tryRegister(first, name, 0, Map.of()).statusCode());
            CompletableFuture<Integer> two = CompletableFuture.supplyAsync(
                    () -> FakeRunner.tryRegister(second, name, 0, Map.of()).statusCode());

            assertThat(List.of(one.get(30, TimeUnit.SECONDS), two.get(30, TimeUnit.SECONDS)))
                    .as(name)
                    .containsExactlyInAnyOrder(200, 409);
        }
    }

    @Test
    void aRunnersReportsAreCheckedAsTheApiChecksItsInput() throws Exception {
        String run = as(owner)
                .body(trainedRun("tabular-classification", Map.of("registerAs", "checked")))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        FakeRunner runner = FakeRunner.register(runnerToken, unique("checked"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", run);
        String epochs = "/api/v1/workers/{id}/runs/{run}/epochs";

        runner.api()
                .body(Map.of("attempt", 1, "epoch", 11, "epochs", 10, "metrics", Map.of(), "checkpoint", false))
                .post(epochs, runner.id, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("epoch"));
        runner.api()
                .body(Map.of(
                        "attempt", 1, "epoch", 1, "epochs", 10, "metrics", Map.of("a\nb", 1.0), "checkpoint", false))
                .post(epochs, runner.id, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("metrics"));
        // A zip with a spec.json is a built-in recipe's artifact: it must load as it would be served.
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("spec.json"));
            out.write("{\"hiddenLayers\": [8]}".getBytes(StandardCharsets.UTF_8));
        }
        given().auth()
                .oauth2(runnerToken)
                .contentType("application/octet-stream")
                .body(zip.toByteArray())
                .put("/api/v1/workers/{id}/runs/{run}/model?attempt=1", runner.id, run)
                .then()
                .statusCode(204);
        runner.api()
                .body(Map.of("attempt", 1, "testMetrics", Map.of("test_accuracy", Double.POSITIVE_INFINITY)))
                .post("/api/v1/workers/{id}/runs/{run}/complete", runner.id, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("testMetrics.test_accuracy"));
        runner.api()
                .body(Map.of("attempt", 1, "testMetrics", Map.of("test_accuracy", 0.99)))
                .post("/api/v1/workers/{id}/runs/{run}/complete", runner.id, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("model"))
                .body("details[0].problem", containsString("the trained model cannot be served: spec.json: "));
        as(owner).get("/api/v1/teams/{t}/models/checked", team).then().statusCode(404);
        assertThat(status(run)).isEqualTo("RUNNING");
    }

    @Test
    void aVersionInAFormatOfItsOwnFailsAHeldOutGateRatherThanTheRequest() {
        // A recipe of the team's own may store any bytes: registered as sent, but they cannot be scored.
        String run = as(owner)
                .body(trainedRun("tabular-classification", Map.of("registerAs", "own-format")))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        FakeRunner runner = FakeRunner.register(runnerToken, unique("own"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", run);
        runner.complete(run, 1, FakeRunner.energy(1)).then().statusCode(204);
        newReversedPenguins(owner, team, "held-out");
        as(owner)
                .body(Map.of("name", "own", "model", "own-format"))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201);

        as(owner)
                .body(Map.of(
                        "version",
                        "1",
                        "gates",
                        List.of(Map.of("type", "held-out", "metric", "accuracy", "dataset", "held-out"))))
                .post("/api/v1/teams/{t}/endpoints/own/promotions", team)
                .then()
                .statusCode(409)
                .body("details[0].problem", containsString("not a model artifact"));
    }

    @Test
    void aRunnerOfAnotherTeamNeverGetsThisTeamsRuns() {
        String run = submit(0, 0);
        String otherTeam = newTeam();
        String otherAdmin = newMember(otherTeam, "ADMIN");
        FakeRunner stranger = FakeRunner.register(FakeRunner.runnerToken(otherAdmin, otherTeam), unique("stranger"), 0);
        assertThat(stranger.claim(0, 0)).isNull();
        assertThat(FakeRunner.register(runnerToken, unique("ours"), 0).claim(0, 0))
                .containsEntry("runId", run);
    }

    @Test
    void aRunResumedAfterItsRunnerDiedCountsWhatTheDeadAttemptReportedPlusTheNewOne() {
        String run = submit(0, 0);
        FakeRunner first = FakeRunner.register(runnerToken, unique("a"), 0, Map.of("zone", "FR"));
        first.claim(0, 0);
        first.heartbeat(run, 1, FakeRunner.energy(20, FakeRunner.part("CPU", null, "model", 3_600_000.0)), null)
                .then()
                .statusCode(200);
        // The runner dies: its lease (4 s) expires, the reaper requeues the run and another runner resumes it.
        await().atMost(Duration.ofSeconds(15)).until(() -> status(run).equals("QUEUED"));
        FakeRunner second = FakeRunner.register(runnerToken, unique("b"), 0, Map.of("zone", "FR"));
        assertThat(second.claim(0, 0)).containsEntry("attempt", 2);
        second.fail(run, 2, FakeRunner.energy(10, FakeRunner.part("CPU", null, "model", 7_200_000.0)))
                .then()
                .statusCode(204);

        JsonPath view = as(owner)
                .get("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertThat(view.getDouble("energy.itKwh")).isEqualTo(3.0);
        assertThat(view.getList("energy.attempts.attempt")).containsExactly(1, 2);
        // The dead attempt never sent a final reading: its energy stands as last reported, and says so.
        assertThat(view.getList("energy.attempts.final")).containsExactly(false, true);
        assertThat(view.getBoolean("energy.final")).isFalse();
        assertThat(view.getDouble("emissions.kgCo2e")).isEqualTo(3.0 * 56.0 / 1000);
    }
}
