package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newPenguins;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.PlatformProcess;
import dev.canopy.api.TempDirectories;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two control planes on one PostgreSQL, each serving half of an endpoint's requests: its canary's policy decides on
 * the requests of both (each plane alone serves fewer canary requests than the policy's minimum, so without pooling
 * neither would ever decide), and both show the same totals of what the endpoint served, and the same energy per
 * 1,000 predictions, and the same comparison of a shadow's answers, including what a plane served right before it
 * stopped.
 */
class CanaryClusterIT {

    /**
     * Requests each plane serves, at 80 % to the canary: some 20 canary requests each, fewer than {@link
     * #MIN_REQUESTS} (at most 25), and some 40 together; and about 10 to the live version, which the policy needs to
     * compare with (at 99 %, as before, no live request at all was the likely case).
     */
    static final int PER_PLANE = 25;

    static final int MIN_REQUESTS = 30;
    static final Duration ROUTE_CACHE_TTL = Duration.ofSeconds(1);

    @Test
    void aFailingCanaryIsRolledBackOnTheRequestsOfBothControlPlanes() throws Exception {
        List<PlatformProcess> nodes = new ArrayList<>();
        try (EmbeddedPostgres database = EmbeddedPostgres.builder()
                .setDataDirectory(TempDirectories.create("canopy-canary-pg"))
                .start()) {
            String url = database.getJdbcUrl("postgres", "postgres");
            Path artifacts = TempDirectories.create("canopy-canary-artifacts");
            // The first trains (profile local keeps its embedded runner); the second only serves.
            nodes.add(PlatformProcess.startNode(url, artifacts, "-Dquarkus.profile=local"));
            // The second pools every 3 s, so that its last pooling seldom falls between its last requests and its
            // stop: the end of the test sees what the stop itself stored.
            nodes.add(PlatformProcess.startNode(url, artifacts, "-Dcanopy.serving.pool-every=3s"));
            String token = PlatformProcess.adminToken(nodes);
            RestAssured.baseURI = "http://localhost";
            RestAssured.port = nodes.get(0).httpPort;
            String team = "default";
            newPenguins(token, team, "penguins");
            newExperiment(token, team, "species");
            String run = as(token)
                    .body(Map.of(
                            "experiment", "species",
                            "dataset", Map.of("name", "penguins", "version", "latest"),
                            "recipe", "tabular-classification",
                            "params", Map.of("label", "species", "epochs", 5),
                            "registerAs", "species"))
                    .post("/api/v1/teams/{t}/runs", team)
                    .then()
                    .log()
                    .ifValidationFails()
                    .statusCode(201)
                    .extract()
                    .path("id");
            await().atMost(Duration.ofMinutes(3)).until(() -> "FINISHED"
                    .equals(as(token)
                            .get("/api/v1/teams/{t}/runs/{r}", team, run)
                            .path("status")));
            byte[] trained = as(token)
                    .get("/api/v1/teams/{t}/models/species/versions/1/artifact", team)
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            given().auth()
                    .oauth2(token)
                    .contentType("application/zip")
                    .body(ServingTest.brokenCopy(trained))
                    .post("/api/v1/teams/{t}/models/species/versions", team)
                    .then()
                    .statusCode(201);
            canaryOfTheBrokenVersion(token, "pooled", 80, MIN_REQUESTS);

            for (int i = 0; i < PER_PLANE; i++) {
                for (PlatformProcess node : nodes) {
                    Response answer = predict(node, token);
                    assertThat(answer.statusCode()).as(answer.asString()).isIn(200, 500);
                }
            }

            // Pooled every 1 s and 3 s: the decision comes from the plane that first sees enough.
            await().atMost(Duration.ofSeconds(30)).until(() -> "LIVE"
                    .equals(as(token)
                            .get("/api/v1/teams/{t}/endpoints/pooled", team)
                            .path("status")));
            JsonPath history = as(token)
                    .get("/api/v1/teams/{t}/endpoints/pooled/promotions", team)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(history.getString("[0].kind")).isEqualTo("CANARY_ROLLED_BACK");
            String reason = history.getString("[0].reason");
            assertThat(reason).contains("(2 control planes)");
            Matcher requests = Pattern.compile("over (\\d+) requests").matcher(reason);
            assertThat(requests.find()).as(reason).isTrue();
            assertThat(Integer.parseInt(requests.group(1)))
                    .isGreaterThanOrEqualTo(MIN_REQUESTS)
                    .isGreaterThan(PER_PLANE);
            int live = as(token).get("/api/v1/teams/{t}/endpoints/pooled", team).path("liveVersion");
            assertThat(live).isEqualTo(1);

            // A plane that did not decide the rollback may route on its cached route for up to
            // canopy.serving.route-cache-ttl (1 s) after it; any route read after that sees the rollback.
            await().pollDelay(ROUTE_CACHE_TTL.plusMillis(500)).until(() -> true);
            // The live version's counts are the sum over both planes, whichever answers: 3 more requests to the
            // first and 7 to the second, and both show the same total.
            for (int i = 0; i < 10; i++) {
                Response answer = predict(nodes.get(i < 3 ? 0 : 1), token);
                assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
            }
            // So is its energy per 1,000 predictions: both planes served it, and both show the same figure.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonPath first = live(nodes.get(0), token);
                JsonPath second = live(nodes.get(1), token);
                assertThat(first.getLong("requests")).isGreaterThanOrEqualTo(10);
                assertThat(second.getLong("requests")).isEqualTo(first.getLong("requests"));
                assertThat(first.getInt("perThousandPredictions.controlPlanes")).isEqualTo(2);
                assertThat(second.getDouble("perThousandPredictions.kWh"))
                        .isPositive()
                        .isCloseTo(first.getDouble("perThousandPredictions.kWh"), within(1e-15));
                assertThat(second.getString("perThousandPredictions.detail"))
                        .isEqualTo(first.getString("perThousandPredictions.detail"));
            });

            // A shadow's comparison is pooled too: each plane sends copies of what it answers, and both show the
            // copies and the shadow's errors (the broken version fails them all) of both.
            shadowOfTheBrokenVersion(token);
            for (int i = 0; i < 10; i++) {
                Response answer = predict(nodes.get(i % 2), token, "shadowed");
                assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (PlatformProcess node : nodes) {
                    JsonPath shadow = shadow(node, token);
                    assertThat(shadow.getLong("copies")).isEqualTo(10);
                    assertThat(shadow.getLong("errors")).isEqualTo(10);
                    assertThat(shadow.getBoolean("allControlPlanes")).isTrue();
                }
            });

            // A plane that stops stores what it served since it last pooled, what it saw of a running canary and
            // what its shadow copies showed: requests right before a stop count.
            canaryOfTheBrokenVersion(token, "watched", 50, 1000);
            // The second plane loads both versions first (all but certainly, at 50 %), and has pooled them.
            for (int i = 0; i < 10; i++) {
                assertThat(predict(nodes.get(1), token, "watched").statusCode()).isIn(200, 500);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> watchedRequests(token) == 10);
            int planes =
                    as(token).get("/api/v1/teams/{t}/endpoints/watched", team).path("canary.traffic.controlPlanes");
            assertThat(planes).isEqualTo(1);
            long before = live(nodes.get(0), token).getLong("requests");
            for (int i = 0; i < 5; i++) {
                assertThat(predict(nodes.get(1), token).statusCode()).isEqualTo(200);
                assertThat(predict(nodes.get(1), token, "watched").statusCode()).isIn(200, 500);
                assertThat(predict(nodes.get(1), token, "shadowed").statusCode())
                        .isEqualTo(200);
            }
            assertThat(nodes.get(1).stop()).isTrue();
            assertThat(live(nodes.get(0), token).getLong("requests")).isEqualTo(before + 5);
            assertThat(watchedRequests(token)).isEqualTo(15);
            assertThat(shadow(nodes.get(0), token).getLong("copies")).isEqualTo(15);
        } finally {
            RestAssured.reset();
            for (PlatformProcess node : nodes) {
                node.close();
            }
        }
    }

    /** A new endpoint of the default team with version 1 live and version 2 (broken) its canary. */
    private static void canaryOfTheBrokenVersion(String token, String endpoint, int percent, int minRequests) {
        as(token)
                .body(Map.of("name", endpoint, "model", "species"))
                .post("/api/v1/teams/default/endpoints")
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/default/endpoints/{e}/promotions", endpoint)
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of(
                        "version",
                        "2",
                        "canaryPercent",
                        percent,
                        "canary",
                        Map.of("minRequests", minRequests, "completeAfter", 1000)))
                .post("/api/v1/teams/default/endpoints/{e}/promotions", endpoint)
                .then()
                .statusCode(201);
    }

    /** A new endpoint "shadowed" of the default team with version 1 live and version 2 (broken) its shadow. */
    private static void shadowOfTheBrokenVersion(String token) {
        as(token)
                .body(Map.of("name", "shadowed", "model", "species"))
                .post("/api/v1/teams/default/endpoints")
                .then()
                .statusCode(201);
        for (Map<String, ?> promotion : List.of(Map.of("version", "1"), Map.of("version", "2", "shadow", true))) {
            as(token)
                    .body(promotion)
                    .post("/api/v1/teams/default/endpoints/shadowed/promotions")
                    .then()
                    .statusCode(201);
        }
    }

    /** The shadow of endpoint "shadowed", as {@code node} shows it. */
    private static JsonPath shadow(PlatformProcess node, String token) {
        return given().baseUri(node.baseUrl())
                .auth()
                .oauth2(token)
                .get("/api/v1/teams/default/endpoints/shadowed")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .setRootPath("shadow");
    }

    private static Response predict(PlatformProcess node, String token) {
        return predict(node, token, "pooled");
    }

    private static Response predict(PlatformProcess node, String token, String endpoint) {
        return given().baseUri(node.baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/default/endpoints/{e}/predict", endpoint);
    }

    /** The requests of the canary on endpoint "watched" (both sides), as the first plane shows them. */
    private static long watchedRequests(String token) {
        JsonPath traffic = as(token)
                .get("/api/v1/teams/default/endpoints/watched")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .setRootPath("canary.traffic");
        return traffic.getLong("liveRequests") + traffic.getLong("canaryRequests");
    }

    /** What the live version served, as {@code node} shows it. */
    private static JsonPath live(PlatformProcess node, String token) {
        JsonPath shown = given().baseUri(node.baseUrl())
                .auth()
                .oauth2(token)
                .get("/api/v1/teams/default/endpoints/pooled")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(shown.getBoolean("serving[0].allControlPlanes")).isTrue();
        assertThat(shown.getString("serving[0].role")).isEqualTo("live");
        return new JsonPath(shown.prettify()).setRootPath("serving[0]");
    }
}
