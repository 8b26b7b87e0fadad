package dev.canopy.api.error;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newRun;
import static dev.canopy.api.TestApi.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** One error body everywhere, never a stack trace. */
@QuarkusTest
class ErrorFormatTest {

    @Test
    void createsRacingForOneNameGetOneCreatedAndConflictsNeverAnInternalError() throws Exception {
        String token = adminToken();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                String name = unique("race");
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    answers.add(clients.submit(() -> {
                        go.await();
                        return as(token)
                                .body(Map.of("name", name))
                                .post("/api/v1/teams/default/experiments")
                                .statusCode();
                    }));
                }
                go.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> answer : answers) {
                    statuses.add(answer.get(60, TimeUnit.SECONDS));
                }
                assertThat(statuses).containsOnly(201, 409).containsOnlyOnce(201);
            }
        } finally {
            clients.shutdownNow();
        }
        // What the database says when the check before an insert lost such a race.
        assertThat(DatabaseErrors.uniqueViolation(
                        new IllegalStateException(new SQLException("duplicate key value", "23505"))))
                .isTrue();
        assertThat(DatabaseErrors.uniqueViolation(new SQLException("deadlock detected", "40P01")))
                .isFalse();
        // What the database (or its driver) says when it cannot be reached: a 503 to try again, not a 500.
        for (String state : List.of("08001", "08006", "57P01", "57P03", "53300")) {
            assertThat(DatabaseErrors.unreachable(new IllegalStateException(new SQLException("away", state))))
                    .as(state)
                    .isTrue();
        }
        assertThat(DatabaseErrors.unreachable(new SQLException(
                        "Acquisition timeout while waiting for new connection", new TimeoutException())))
                .isTrue();
        for (String state : List.of("23505", "40P01", "55000", "57014", "08003")) {
            assertThat(DatabaseErrors.unreachable(new SQLException("not away", state)))
                    .as(state)
                    .isFalse();
        }
        assertThat(DatabaseErrors.unreachable(new SQLException("no state"))).isFalse();
    }

    @Test
    void pinsTheBodyOfAFailedValidation() {
        as(adminToken())
                .body("{}")
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(400)
                .body(equalTo("{\"code\":\"INVALID_REQUEST\",\"message\":\"Invalid request: name: must not be blank\","
                        + "\"details\":[{\"field\":\"name\",\"problem\":\"must not be blank\"}]}"));
    }

    @Test
    void aMissingOrNullBodyIsAClearRefusal() {
        String run = newRun(adminToken(), "default");
        for (String path : List.of(
                "/api/v1/teams/default/runs",
                "/api/v1/teams/default/runs/search",
                "/api/v1/teams/default/datasets",
                "/api/v1/teams/default/experiments",
                "/api/v1/teams/default/schedules",
                "/api/v1/teams/default/members",
                "/api/v1/tokens")) {
            for (String body : List.of("", "null")) {
                as(adminToken())
                        .body(body)
                        .post(path)
                        .then()
                        .statusCode(400)
                        .body("code", equalTo("INVALID_REQUEST"))
                        .body("message", containsString("must not be null"));
            }
        }
        as(adminToken())
                .body("")
                .patch("/api/v1/teams/default/runs/{r}", run)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
    }

    @Test
    void aMalformedQueryParameterIsNamedNotANotFound() {
        String run = newRun(adminToken(), "default");
        as(adminToken())
                .get("/api/v1/teams/default/runs?pageSize=abc")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("pageSize"));
        as(adminToken())
                .get("/api/v1/teams/default/runs?pageSize=0")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("pageSize"));
        as(adminToken())
                .get("/api/v1/teams/default/runs/{r}/metrics/loss?maxPoints=abc", run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("maxPoints"));
    }

    @Test
    void aFieldGivenTwiceIsRefusedNotSilentlyOverwritten() {
        as(adminToken())
                .body("{\"name\": \"first\", \"name\": \"second\"}")
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("message", containsString("Duplicate field 'name'"));
    }

    @Test
    void reportsMalformedJsonWithItsLocation() {
        as(adminToken())
                .body("{\"name\": ")
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("message", containsString("Malformed JSON at line 1"))
                .body(not(containsString("at com.fasterxml")));
        String run = newRun(adminToken(), "default");
        as(adminToken())
                .body(Map.of("points", List.of(Map.of("key", "x", "step", "seven", "value", 1))))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("points[0].step"));
    }

    @Test
    void textHoldingHalfACharacterIsRefusedAndNothingIsStored() {
        String token = adminToken();
        String name = unique("half");
        // JSON escapes of lone surrogates: Java holds them, PostgreSQL would store '?' instead.
        as(token)
                .body("{\"name\": \"" + name + "\\uD800\"}")
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("name"))
                .body("details[0].problem", containsString("half a character"));
        as(token)
                .get("/api/v1/teams/default/experiments/{e}", name + "?")
                .then()
                .statusCode(404);
        as(token)
                .body("{\"experiment\": \"x\", \"params\": {\"lr\": \"0.1\\uDE00\"}}")
                .post("/api/v1/teams/default/runs")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("params.lr"));
        as(token)
                .body("{\"experiment\": \"x\", \"tags\": {\"\\uDC00\": \"v\"}}")
                .post("/api/v1/teams/default/runs")
                .then()
                .statusCode(400)
                .body("message", containsString("surrogate"));
        // Both halves together are one character, and are kept.
        String whole = name + " \uD83D\uDE00";
        as(token)
                .body(Map.of("name", whole))
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(201);
        as(token).get("/api/v1/teams/default/experiments/{e}", whole).then().body("name", equalTo(whole));
    }

    @Test
    void aValueOfTheWrongTypeNamesTheTypeWantedNotAJavaClass() {
        Map<String, Object> fraction = Map.of("experiment", "x", "priority", 1.5);
        Map<String, Object> word = Map.of("experiment", "x", "maxAttempts", "three");
        Map<String, Object> list = Map.of("experiment", "x", "params", List.of(1));
        for (Map<String, Object> body : List.of(fraction, word, list)) {
            String field = body.keySet().stream()
                    .filter(k -> !k.equals("experiment"))
                    .findFirst()
                    .orElseThrow();
            as(adminToken())
                    .body(body)
                    .post("/api/v1/teams/default/runs")
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo(field))
                    .body(
                            "details[0].problem",
                            equalTo(field.equals("params") ? "must be an object" : "must be a whole number"))
                    .body(not(containsString("java.")));
        }
    }

    @Test
    void unknownPathsAndMethodsAnswerInTheSameFormat() {
        as(adminToken())
                .get("/api/v1/teams/default/nothing-here")
                .then()
                .statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        as(adminToken())
                .delete("/api/v1/teams/default/datasets")
                .then()
                .statusCode(405)
                .body("code", equalTo("INVALID_REQUEST"));
        given().auth()
                .oauth2(adminToken())
                .contentType("application/xml")
                .body("<a/>")
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(415)
                .body("code", equalTo("INVALID_REQUEST"));
    }
}
