package dev.canopy.api.run;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.canopy.api.LockWaits;
import dev.canopy.api.config.DatabaseTime;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunTest {

    @Inject
    RunRepository runs;

    @Inject
    AgroalDataSource dataSource;

    String team;
    String token;

    @BeforeEach
    void team() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        newExperiment(token, team, "baseline");
    }

    @Test
    void aRenameThatReadTheRunBeforeItEndedLeavesItEnded() throws Exception {
        UUID id = UUID.fromString(as(token)
                .body(Map.of("experiment", "baseline", "name", "before"))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        ExecutorService renaming = Executors.newSingleThreadExecutor();
        try {
            Future<?> rename =
                    renaming.submit(() -> QuarkusTransaction.requiringNew().run(() -> {
                        Run run = runs.findById(id);
                        read.countDown();
                        awaitQuietly(ended);
                        run.name = "after";
                    }));
            assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();
            QuarkusTransaction.requiringNew()
                    .run(() -> runs.findById(id).moveTo(RunStatus.FINISHED, DatabaseTime.now()));
            ended.countDown();
            rename.get(10, TimeUnit.SECONDS);
        } finally {
            ended.countDown();
            renaming.shutdownNow();
        }

        as(token)
                .get("/api/v1/teams/{t}/runs/{r}", team, id)
                .then()
                .body("name", equalTo("after"))
                .body("status", equalTo("FINISHED"));
    }

    /** A status change that meets another one (a cancel, say) is checked against what that one left: 409. */
    @Test
    void aStatusChangeThatMeetsAnotherIsCheckedAgainstIt() throws Exception {
        UUID id = UUID.fromString(as(token)
                .body(Map.of("experiment", "baseline"))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id"));

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> LockWaits.execute(c, "SELECT 1 FROM runs WHERE id = ? FOR UPDATE", id),
                "%runs%",
                () -> as(token)
                        .body(Map.of("status", "FINISHED"))
                        .patch("/api/v1/teams/{t}/runs/{r}", team, id)
                        .statusCode(),
                c -> LockWaits.execute(c, "UPDATE runs SET status = 'KILLED', ended_at = now() WHERE id = ?", id));

        assertThat(status).isEqualTo(409);
        as(token).get("/api/v1/teams/{t}/runs/{r}", team, id).then().body("status", equalTo("KILLED"));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void startsATrackedRunWithParamsTagsAndLineage() {
        newDataset(token, team, "iris");
        csv(token, "a,b\n1,2\n")
                .post("/api/v1/teams/{t}/datasets/iris/versions", team)
                .then()
                .statusCode(201);
        String id = as(token)
                .body(Map.of(
                        "experiment", "baseline",
                        "params", Map.of("lr", 0.01, "layers", "[64, 32]", "optimizer", Map.of("name", "adam")),
                        "tags", Map.of("stage", "dev"),
                        "inputs", List.of(Map.of("name", "iris", "version", "latest"))))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .body("status", equalTo("RUNNING"))
                .body("kind", equalTo("TRACKED"))
                .body("experiment", equalTo("baseline"))
                .body("name", startsWith("run-"))
                // A value that is not text is kept as its JSON.
                .body("params", equalTo(Map.of("lr", "0.01", "layers", "[64, 32]", "optimizer", "{\"name\":\"adam\"}")))
                .body("tags", equalTo(Map.of("stage", "dev")))
                .body("dataset.name", equalTo("iris"))
                .body("dataset.dataset", equalTo("iris"))
                .body("dataset.version", equalTo(1))
                .body("startedAt", notNullValue())
                .body("endedAt", nullValue())
                .extract()
                .path("id");
        as(token)
                .get("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(200)
                .body("inputs.size()", equalTo(1));
    }

    @Test
    void paramsAreImmutableTagsAreNot() {
        String id = run(Map.of("lr", "0.1"));
        as(token)
                .body(Map.of("params", Map.of("lr", "0.1", "epochs", "5")))
                .post("/api/v1/teams/{t}/runs/{id}/params", team, id)
                .then()
                .statusCode(200)
                .body("params", equalTo(Map.of("lr", "0.1", "epochs", "5")));
        as(token)
                .body(Map.of("params", Map.of("lr", "0.2")))
                .post("/api/v1/teams/{t}/runs/{id}/params", team, id)
                .then()
                .statusCode(409)
                .body("code", equalTo("CONFLICT"))
                .body("details[0].field", equalTo("params.lr"));
        as(token).get("/api/v1/teams/{t}/runs/{id}", team, id).then().body("params.lr", equalTo("0.1"));

        as(token)
                .body("{\"tags\": {\"stage\": \"prod\"}}")
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .body("tags.stage", equalTo("prod"));
        as(token)
                .body("{\"tags\": {\"stage\": null}}")
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .body("tags", equalTo(Map.of()));
    }

    /**
     * A run holds at most 1,000 tags and 1,000 params however many requests write them (each request was limited,
     * the run was not); a change past the limit is refused whole, and one that deletes as many as it adds passes.
     */
    @Test
    void aRunHoldsAtMostAThousandTagsAndParams() {
        String id = run(Map.of());
        for (int batch = 0; batch < 2; batch++) {
            as(token)
                    .body(Map.of("tags", numbered("t", batch * 500, 500), "name", "tagged"))
                    .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                    .then()
                    .statusCode(200);
            as(token)
                    .body(Map.of("params", numbered("p", batch * 500, 500)))
                    .post("/api/v1/teams/{t}/runs/{id}/params", team, id)
                    .then()
                    .statusCode(200);
        }

        as(token)
                .body(Map.of("tags", Map.of("one-more", "x"), "name", "renamed"))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("tags"))
                .body("details[0].problem", equalTo("a run holds at most 1000 tags; this change would leave it 1001"));
        as(token)
                .body(Map.of("params", Map.of("one-more", "x")))
                .post("/api/v1/teams/{t}/runs/{id}/params", team, id)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("params"));
        // Refused whole: not renamed, nothing added.
        as(token)
                .get("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .body("name", equalTo("tagged"))
                .body("tags.size()", equalTo(1000))
                .body("params.size()", equalTo(1000));

        Map<String, String> swap = new HashMap<>();
        swap.put("t0", null);
        swap.put("one-more", "x");
        as(token)
                .body(Map.of("tags", swap))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(200)
                .body("tags.size()", equalTo(1000))
                .body("tags.one-more", equalTo("x"));
    }

    /** A run over the limit from before it was set may shrink, a tag at a time, but not grow. */
    @Test
    void aRunOverTheLimitFromBeforeMayShrinkButNotGrow() throws Exception {
        String id = run(Map.of());
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO run_tags (run_id, key, value) SELECT ?::uuid, 't' || n, 'v' FROM"
                                + " generate_series(1, 1002) n")) {
            insert.setString(1, id);
            assertThat(insert.executeUpdate()).isEqualTo(1002);
        }
        Map<String, String> dropOne = new HashMap<>();
        dropOne.put("t1", null);

        as(token)
                .body(Map.of("tags", dropOne))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(200)
                .body("tags.size()", equalTo(1001));
        as(token)
                .body(Map.of("tags", Map.of("t1", "back")))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("tags"));
    }

    private static Map<String, String> numbered(String prefix, int from, int count) {
        Map<String, String> values = new HashMap<>();
        for (int i = from; i < from + count; i++) {
            values.put(prefix + i, "v" + i);
        }
        return values;
    }

    @Test
    void followsTheStatusLifecycle() {
        String id = run(Map.of());
        as(token)
                .body(Map.of("status", "FINISHED"))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(200)
                .body("status", equalTo("FINISHED"))
                .body("endedAt", notNullValue());
        as(token)
                .body(Map.of("status", "RUNNING"))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"))
                .body("message", equalTo("Run " + id + " cannot go from FINISHED to RUNNING"));
        as(token)
                .body(Map.of("params", Map.of("late", "1")))
                .post("/api/v1/teams/{t}/runs/{id}/params", team, id)
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"));
        as(token)
                .body(Map.of("status", "QUEUED"))
                .patch("/api/v1/teams/{t}/runs/{id}", team, id)
                .then()
                .statusCode(409);

        String killed = run(Map.of());
        as(token)
                .post("/api/v1/teams/{t}/runs/{id}/cancel", team, killed)
                .then()
                .statusCode(200)
                .body("status", equalTo("KILLED"));
    }

    @Test
    void refusesRunsOfUnknownExperimentsAndHalfTrainedRequests() {
        as(token)
                .body(Map.of("experiment", "nope"))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(404)
                .body("message", equalTo("experiment 'nope' not found"));
        as(token)
                .body(Map.of("experiment", "baseline", "recipe", "tabular-classification"))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("dataset"));
        as(token)
                .body(Map.of("experiment", "baseline", "dataset", Map.of("name", "d", "version", "1")))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("recipe"));
        as(token)
                .body(Map.of("experiment", "baseline", "params", Map.of("", "x")))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("params"));
        as(token)
                .body("{\"experiment\": \"baseline\", \"inputs\": [null]}")
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("inputs[0]"));
    }

    private String run(Map<String, String> params) {
        return as(token)
                .body(Map.of("experiment", "baseline", "params", params))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
