package dev.canopy.api.run;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newRun;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MetricTest {

    String team;
    String token;
    String run;

    @BeforeEach
    void run() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        run = newRun(token, team);
    }

    static Map<String, Object> point(String key, long step, Object value) {
        Map<String, Object> point = new HashMap<>();
        point.put("key", key);
        point.put("step", step);
        point.put("timestamp", 1_700_000_000_000L + step);
        point.put("value", value);
        return point;
    }

    @Test
    void ingestsTenThousandPointsWithNonFiniteValuesInOneBatch() {
        List<Map<String, Object>> points = new ArrayList<>();
        for (int step = 0; step < 10_000; step++) {
            Object value =
                    switch (step) {
                        case 10 -> "NaN";
                        case 11 -> "Infinity";
                        case 12 -> "-Infinity";
                        default -> step * 0.5;
                    };
            points.add(point("loss", step, value));
        }
        as(token)
                .body(Map.of("batchId", "b-1", "points", points))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(200)
                .body("accepted", equalTo(10_000))
                .body("duplicate", equalTo(false));

        JsonPath history = as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/loss", team, run)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(history.getBoolean("downsampled")).isFalse();
        assertThat(history.getList("points")).hasSize(10_000);
        assertThat(history.getList("points.step", Integer.class).subList(9, 14)).containsExactly(9, 10, 11, 12, 13);
        assertThat(history.getList("points.value").subList(10, 13)).containsExactly("NaN", "Infinity", "-Infinity");
        assertThat(history.getString("points[0].timestamp")).isEqualTo("2023-11-14T22:13:20Z");
        as(token).get("/api/v1/teams/{t}/runs/{r}", team, run).then().body("latestMetrics.loss", equalTo(4999.5f));
    }

    @Test
    void aRetriedBatchChangesNothing() {
        Map<String, Object> batch =
                Map.of("batchId", "retry-me", "points", List.of(point("acc", 1, 0.5), point("acc", 2, 0.6)));
        as(token)
                .body(batch)
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .body("accepted", equalTo(2));
        as(token)
                .body(batch)
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(200)
                .body("accepted", equalTo(0))
                .body("duplicate", equalTo(true));
        as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .body("[0].key", equalTo("acc"))
                .body("[0].points", equalTo(2));
    }

    @Test
    void aRetryIsRecognisedWhereverTheBatchIdStands() {
        String first = "{\"batchId\": \"front\", \"points\": [{\"key\": \"f\", \"value\": 1}]}";
        String last =
                "{\"points\": [{\"key\": \"l\", \"value\": 1}, {\"key\": \"l2\", \"value\": 2}], \"batchId\": \"back\"}";
        for (String body : List.of(first, last)) {
            as(token)
                    .body(body)
                    .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                    .then()
                    .body("duplicate", equalTo(false));
            as(token)
                    .body(body)
                    .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                    .then()
                    .statusCode(200)
                    .body("accepted", equalTo(0))
                    .body("duplicate", equalTo(true));
        }
        // The late duplicate was rolled back whole: no second copy of its points, no stray series.
        as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .body("key", equalTo(List.of("f", "l", "l2")))
                .body("points", equalTo(List.of(1, 1, 1)));
    }

    @Test
    void aBatchIdWithHalfACharacterIsRefusedNotStoredAsAnotherBatchsId() {
        // Stored, "b" and a lone U+D800 would be "b?": a later batch "b?" would have been dropped as its retry.
        as(token)
                .body("{\"batchId\": \"b\\uD800\", \"points\": [{\"key\": \"h\", \"value\": 1}]}")
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("batchId"));
        as(token)
                .body(Map.of("batchId", "b?", "points", List.of(point("h", 1, 1))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(200)
                .body("duplicate", equalTo(false));
    }

    @Test
    void theLatestValueIsThatOfTheHighestStepThenTimestamp() {
        post(List.of(point("acc", 5, 0.9), point("acc", 3, 0.7)));
        post(List.of(point("acc", 4, 0.8)));
        as(token).get("/api/v1/teams/{t}/runs/{r}", team, run).then().body("latestMetrics.acc", equalTo(0.9f));
        Map<String, Object> later = point("acc", 5, 0.95);
        later.put("timestamp", "2030-01-01T00:00:00Z");
        post(List.of(later));
        as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .body("[0].latestValue", equalTo(0.95f))
                .body("[0].latestStep", equalTo(5))
                .body("[0].latestTimestamp", equalTo("2030-01-01T00:00:00Z"));
    }

    /**
     * A history longer than is read whole before sending (100,000 points) streams from a cursor; a shorter one is
     * read first, so that its connection is back in the pool before a slow client reads it (the 10,000 above).
     */
    @Test
    void aHistoryLongerThanIsReadBeforeSendingStreamsWhole() throws Exception {
        int total = MetricHistory.READ_BEFORE_SENDING + 1;
        for (int from = 0; from < total; from += 50_000) {
            StringBuilder body = new StringBuilder("{\"points\": [");
            for (int step = from; step < Math.min(total, from + 50_000); step++) {
                body.append(step == from ? "" : ",")
                        .append("{\"key\": \"long\", \"step\": ")
                        .append(step)
                        .append(", \"value\": ")
                        .append(step)
                        .append('}');
            }
            as(token)
                    .body(body.append("]}").toString())
                    .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                    .then()
                    .statusCode(200);
        }

        String history = as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/long", team, run)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonNode points = new ObjectMapper().readTree(history).get("points");
        assertThat(points.size()).isEqualTo(total);
        for (int i = 0; i < total; i += 9_999) {
            assertThat(points.get(i).get("step").asLong()).isEqualTo(i);
            assertThat(points.get(i).get("value").asDouble()).isEqualTo(i);
        }
    }

    @Test
    void downsamplingKeepsSpikesAndDips() {
        List<Map<String, Object>> points = new ArrayList<>();
        for (int step = 0; step < 10_000; step++) {
            double value = step == 7777 ? 1000 : step == 2222 ? -1000 : Math.sin(step / 100.0);
            points.add(point("signal", step, value));
        }
        post(points);
        JsonPath downsampled = as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/signal?maxPoints=100", team, run)
                .then()
                .statusCode(200)
                .body("downsampled", equalTo(true))
                .body("totalPoints", equalTo(10_000))
                .extract()
                .jsonPath();
        List<Integer> steps = downsampled.getList("points.step", Integer.class);
        assertThat(steps)
                .hasSizeLessThanOrEqualTo(100)
                .hasSizeGreaterThan(50)
                .contains(2222, 7777)
                .isSorted();
        assertThat(downsampled.getList("points.value", Float.class)).contains(1000f, -1000f);
    }

    /** Steps anywhere in the 64-bit range (a sentinel final step, nanosecond clocks) come back as logged. */
    @Test
    @SuppressWarnings("unchecked")
    void downsamplingReturnsStepsAcrossTheWholeLongRangeExactly() {
        List<Long> logged = new ArrayList<>(List.of(Long.MIN_VALUE, -1L, 0L, (1L << 53) + 1, Long.MAX_VALUE - 1));
        for (int i = 0; i < 200; i++) {
            logged.add(1_700_000_000_000_000_000L + 1_000_000_007L * i);
        }
        logged.add(Long.MAX_VALUE);
        List<Map<String, Object>> points = new ArrayList<>();
        for (long step : logged) {
            Map<String, Object> point =
                    point("clock", 0, step == Long.MAX_VALUE ? 10.0 : step == Long.MIN_VALUE ? -10.0 : 0.5);
            point.put("step", step);
            point.put("timestamp", 1_700_000_000_000L);
            points.add(point);
        }
        post(points);

        Map<String, Object> downsampled = as(token)
                .get("/api/v1/teams/{t}/runs/{r}/metrics/clock?maxPoints=10", team, run)
                .then()
                .statusCode(200)
                .body("downsampled", equalTo(true))
                .extract()
                .as(Map.class);
        List<Long> steps = ((List<Map<String, Object>>) downsampled.get("points"))
                .stream().map(p -> ((Number) p.get("step")).longValue()).toList();
        assertThat(steps).hasSizeBetween(2, 10).isSorted().contains(Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(logged).containsAll(steps);
    }

    @Test
    void refusesPointsForFinishedAndUnknownRunsAndBadPoints() {
        as(token)
                .body(Map.of("points", List.of(Map.of("key", "x", "value", "soon"))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("points[0].value"));
        Map<String, Object> noValue = new HashMap<>(point("x", 1, 1));
        noValue.remove("value");
        as(token)
                .body(Map.of("points", List.of(point("x", 0, 1), noValue)))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("points[1].value"));
        // Read as strictly as every request body: a misspelt batchId would make a retry count twice, a misspelt
        // step would store the point at step 0.
        Map<String, String> refused = Map.of(
                "{\"batchID\": \"b\", \"points\": [{\"key\": \"x\", \"value\": 1}]}",
                "batchID",
                "{\"points\": [{\"key\": \"x\", \"stepp\": 7, \"value\": 1}]}",
                "points[0].stepp",
                "{\"points\": [{\"key\": \"x\", \"value\": 1}]} {}",
                "body",
                "{\"points\": [{\"key\": \"x\", \"value\": 1, \"value\": 5}]}",
                "body",
                "{\"points\": [{\"key\": \"x\", \"value\": 1}]",
                "body",
                "{\"points\": [{\"key\": \"x\", \"value\": 1, \"timestamp\": 999999999999999999}]}",
                "points[0].timestamp",
                // Half of a character: stored as '?', a key the next batch would neither find nor create again.
                "{\"points\": [{\"key\": \"x\", \"value\": 1}, {\"key\": \"loss\\ud83d\", \"value\": 1}]}",
                "points[1].key");
        refused.forEach((body, field) -> as(token)
                .body(body)
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo(field)));

        as(token)
                .body(Map.of("status", "FINISHED"))
                .patch("/api/v1/teams/{t}/runs/{r}", team, run)
                .then()
                .statusCode(200);
        as(token)
                .body(Map.of("points", List.of(point("x", 1, 1))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"))
                .body("message", equalTo("Run " + run + " is FINISHED; metrics are accepted only while it is RUNNING"));
        as(token)
                .body(Map.of("points", List.of(point("x", 1, 1))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, "00000000-0000-0000-0000-000000000000")
                .then()
                .statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        as(token).get("/api/v1/teams/{t}/runs/{r}/metrics", team, run).then().body("size()", equalTo(0));
    }

    private void post(List<Map<String, Object>> points) {
        as(token)
                .body(Map.of("points", points))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, run)
                .then()
                .statusCode(200)
                .body("accepted", equalTo(points.size()));
    }
}
