package dev.canopy.api.run;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Run search against real PostgreSQL: five runs with known params, metrics, tags and statuses. */
@QuarkusTest
class RunSearchTest {

    String team;
    String token;

    @BeforeEach
    void runs() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        newExperiment(token, team, "mlp");
        newExperiment(token, team, "trees");
        run("a", "mlp", Map.of("lr", "0.1", "model", "mlp"), 0.80, "dev", "FINISHED");
        run("b", "mlp", Map.of("lr", "0.01", "model", "mlp"), 0.93, "prod", "FINISHED");
        run("c", "mlp", Map.of("lr", "0.001", "model", "mlp"), 0.91, null, "RUNNING");
        run("d", "trees", Map.of("depth", "8", "model", "gbm"), 0.95, "prod", "FAILED");
        run("e", "trees", Map.of("depth", "12", "model", "gbm"), null, null, "RUNNING");
    }

    private void run(
            String name, String experiment, Map<String, String> params, Double acc, String stage, String status) {
        Map<String, Object> body = new HashMap<>(Map.of("experiment", experiment, "name", name, "params", params));
        if (stage != null) {
            body.put("tags", Map.of("stage", stage));
        }
        String id = as(token)
                .body(body)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        if (acc != null) {
            as(token)
                    .body(Map.of("points", List.of(Map.of("key", "acc", "step", 1, "value", acc))))
                    .post("/api/v1/teams/{t}/runs/{r}/metrics", team, id)
                    .then()
                    .statusCode(200);
        }
        if (!status.equals("RUNNING")) {
            as(token)
                    .body(Map.of("status", status))
                    .patch("/api/v1/teams/{t}/runs/{r}", team, id)
                    .then()
                    .statusCode(200);
        }
    }

    private List<String> names(String filter, Object orderBy) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("filter", filter);
        body.put("orderBy", orderBy);
        return as(token)
                .body(body)
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("runs.name", String.class);
    }

    @Test
    void filtersOnMetricsParamsTagsStatusAndExperiment() {
        assertThat(names("metrics.acc > 0.9 and params.model = 'mlp'", "name")).containsExactly("b", "c");
        assertThat(names("(status = 'FAILED' or tags.stage = 'dev') and experiment = 'mlp'", "name"))
                .containsExactly("a");
        assertThat(names("params.lr < 0.05", "name")).containsExactly("b", "c");
        assertThat(names("tags.stage is null", "name")).containsExactly("c", "e");
        assertThat(names("params.model like 'g%' and not status = 'RUNNING'", "name"))
                .containsExactly("d");
        assertThat(names("status in ('finished', 'failed')", "name")).containsExactly("a", "b", "d");
    }

    /** "not" is the complement on columns that may be empty too: tracked runs have no recipe, running ones no end. */
    @Test
    void notOfAComparisonWithAnEmptyColumnMatchesTheRunsWithoutAValue() {
        assertThat(names("not recipe = 'tabular-regression'", "name")).containsExactly("a", "b", "c", "d", "e");
        assertThat(names("recipe = 'tabular-regression' or not recipe = 'tabular-regression'", "name"))
                .hasSize(5);
        assertThat(names("not endedAt < '2000-01-01T00:00:00Z'", "name")).containsExactly("a", "b", "c", "d", "e");
        assertThat(names("endedAt is null", "name")).containsExactly("c", "e");
    }

    @Test
    void ordersByAMetricWithRunsLackingItLast() {
        assertThat(names("", List.of("metrics.acc DESC"))).containsExactly("d", "b", "c", "a", "e");
        assertThat(names(null, "metrics.acc ASC")).containsExactly("a", "c", "b", "d", "e");
    }

    /** A run whose latest value is NaN (it diverged) matches no comparison and sorts with the runs lacking it. */
    @Test
    void aNanLatestValueMatchesNoComparisonAndSortsLast() {
        run("n", "mlp", Map.of("model", "mlp"), null, null, "RUNNING");
        String id = as(token)
                .body(Map.of("filter", "name = 'n'"))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .extract()
                .path("runs[0].id");
        as(token)
                .body(Map.of("points", List.of(Map.of("key", "acc", "step", 1, "value", "NaN"))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", team, id)
                .then()
                .statusCode(200);

        assertThat(names("metrics.acc > 0.9", "name")).containsExactly("b", "c", "d");
        assertThat(names("metrics.acc != 0.8", "name")).containsExactly("b", "c", "d");
        // Newest first among the runs without a number: n, then e.
        assertThat(names("", List.of("metrics.acc DESC"))).containsExactly("d", "b", "c", "a", "n", "e");
    }

    @Test
    void pagesThroughResults() {
        String next = as(token)
                .body(Map.of("orderBy", List.of("name"), "pageSize", 2))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .body("runs.name", contains("a", "b"))
                .extract()
                .path("nextPageToken");
        next = as(token)
                .body(Map.of("orderBy", List.of("name"), "pageSize", 2, "pageToken", next))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .body("runs.name", contains("c", "d"))
                .extract()
                .path("nextPageToken");
        as(token)
                .body(Map.of("orderBy", List.of("name"), "pageSize", 2, "pageToken", next))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .body("runs.name", contains("e"))
                .body("nextPageToken", nullValue());
        // Garbage, and a position before what PostgreSQL's timestamps hold (it was answered as if it were a page).
        String beforeTime = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        "k:-300000000000000000:00000000-0000-0000-0000-000000000001".getBytes(StandardCharsets.UTF_8));
        for (String forged : List.of("garbage", beforeTime)) {
            as(token)
                    .body(Map.of("pageToken", forged))
                    .post("/api/v1/teams/{t}/runs/search", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("pageToken"));
        }
    }

    /** Newest first, a page goes on after the last run shown: a run created meanwhile does not push one back. */
    @Test
    void pagingNewestFirstNeitherRepeatsNorSkipsRunsWhenOneIsCreatedMeanwhile() {
        List<String> seen = new ArrayList<>();
        String next = null;
        boolean created = false;
        do {
            JsonPath page = as(token)
                    .queryParam("pageSize", 2)
                    .queryParam("pageToken", next == null ? "" : next)
                    .get("/api/v1/teams/{t}/runs", team)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            seen.addAll(page.getList("runs.name", String.class));
            next = page.getString("nextPageToken");
            if (!created) {
                run("f", "mlp", Map.of("lr", "0.5"), null, null, "RUNNING");
                created = true;
            }
        } while (next != null);
        assertThat(seen).containsExactly("e", "d", "c", "b", "a");

        // Such a token goes with the default order only.
        String keyed = as(token)
                .body(Map.of("pageSize", 2))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .extract()
                .path("nextPageToken");
        as(token)
                .body(Map.of("orderBy", List.of("name"), "pageToken", keyed))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("pageToken"));
    }

    @Test
    void explainsAnInvalidFilterByPosition() {
        as(token)
                .body(Map.of("filter", "metrics.acc > 0.9 and params.lr foo 1"))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("filter"))
                .body("details[0].problem", startsWith("at position 33:"));
        // PostgreSQL refuses a pattern ending in its escape character: refused here first, where it is written.
        as(token)
                .body(Map.of("filter", "name like 'sweep\\'"))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .statusCode(400)
                .body("details[0].problem", startsWith("at position 11: a pattern cannot end with a lone backslash"));
        as(token)
                .body(Map.of("filter", "name like 'sweep\\\\' or tags.x like '50\\%'"))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .statusCode(200);
    }

    @Test
    void aFilterCannotInjectSql() {
        List<String> hostile = List.of(
                "params.model = 'x''; DROP TABLE runs; --'",
                "params.`model'; DROP TABLE runs; --` = 'mlp'",
                "tags.stage = 'prod' or 1=1",
                "status = 'FINISHED') or (1=1");
        for (String filter : hostile) {
            int status = as(token)
                    .body(Map.of("filter", filter))
                    .post("/api/v1/teams/{t}/runs/search", team)
                    .then()
                    .extract()
                    .statusCode();
            assertThat(status).isIn(200, 400);
        }
        assertThat(names("params.model = 'x''; DROP TABLE runs; --'", "name")).isEmpty();
        assertThat(names("", "name")).containsExactly("a", "b", "c", "d", "e");
    }
}
