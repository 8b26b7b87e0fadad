package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.TestApi;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Registry aliases, endpoints, promotion gates, rollback and the audit trail. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class EndpointTest {

    TrainedModels models;
    String team;
    String token;

    @TestHTTPResource("/")
    URI server;

    @ConfigProperty(name = "canopy.serving.max-request-records")
    int maxRequestRecords;

    String endpoint;

    @BeforeEach
    void endpoint() {
        models = TrainedModels.get();
        team = models.team;
        token = models.token;
        endpoint = models.newEndpoint("ep");
    }

    JsonPath promote(Map<String, Object> body, int status) {
        return as(token)
                .body(body)
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(status)
                .extract()
                .jsonPath();
    }

    JsonPath predict(List<Map<String, Object>> records, int status) {
        return as(token)
                .body(Map.of("records", records))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .statusCode(status)
                .extract()
                .jsonPath();
    }

    /**
     * A request the configured limit lets through but that a wide model would encode to too much memory at once is
     * 413 saying how many records this model takes; not an error of the version.
     */
    @Test
    void aWideModelTakesFewerRecordsPerRequestAndSaysHowMany() {
        String wide = unique("wide").toLowerCase(Locale.ROOT);
        as(token)
                .body(Map.of("name", wide, "model", models.wideModel()))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, wide)
                .then()
                .statusCode(201);
        Map<String, Object> record = Map.of("a", "a1", "b", "b7");
        int records = 9000;
        assertThat(records).isLessThan(maxRequestRecords);

        as(token)
                .body(Map.of("records", Collections.nCopies(records, record)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, wide)
                .then()
                .statusCode(413)
                .body("code", equalTo("PAYLOAD_TOO_LARGE"))
                .body("message", startsWith(TrainedModels.WIDE_MODEL + ":1 takes at most "))
                .body("message", containsString(" records per request (each encodes to "))
                .body("message", endsWith("got 9000; split the batch"));
        as(token)
                .body(Map.of("records", Collections.nCopies(100, record)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, wide)
                .then()
                .statusCode(200)
                .body("predictions", hasSize(100));
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, wide)
                .then()
                .statusCode(200)
                .body("serving[0].errors", equalTo(0));
    }

    double accuracy(int version) {
        return as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/{v}", team, TrainedModels.MODEL, version)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getDouble("metrics.test_accuracy");
    }

    @Test
    void anEndpointWithNothingPromotedSaysSo() {
        JsonPath error = predict(List.of(GENTOO), 409);
        assertThat(error.getString("code")).isEqualTo("INVALID_STATE");
        assertThat(error.getString("message")).contains("no version promoted");
    }

    @Test
    void passingGatesPutTheVersionLiveAndItAnswers() {
        JsonPath event = promote(
                Map.of(
                        "version",
                        "2",
                        "reason",
                        "first release",
                        "gates",
                        List.of(
                                Map.of("type", "threshold", "metric", "test_accuracy", "op", ">=", "value", 0.5),
                                Map.of("expression", "metrics.test_accuracy > 0.1"))),
                201);
        assertThat(event.getString("kind")).isEqualTo("PROMOTED");
        assertThat(event.getInt("toVersion")).isEqualTo(2);
        assertThat(event.getList("gates.passed", Boolean.class)).containsExactly(true, true, true);
        assertThat(event.getString("gates[2].gate")).isEqualTo("loads and warms up");

        JsonPath answer = predict(List.of(GENTOO, Map.of("island", "Torgersen")), 200);
        assertThat(answer.getInt("modelVersion")).isEqualTo(2);
        assertThat(answer.getString("predictions[0].label")).isEqualTo("Gentoo");
        assertThat(answer.getMap("predictions[0].probabilities")).containsOnlyKeys("Adelie", "Chinstrap", "Gentoo");
        assertThat(answer.getMap("")).doesNotContainKey("ignoredColumns");

        JsonPath shown = as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(shown.getString("status")).isEqualTo("LIVE");
        assertThat(shown.getInt("liveVersion")).isEqualTo(2);
        assertThat(shown.getString("serving[0].role")).isEqualTo("live");
        assertThat(shown.getLong("serving[0].requests")).isEqualTo(1);
        assertThat(shown.getLong("serving[0].predictions")).isEqualTo(2);
        assertThat(shown.getDouble("serving[0].latencyMs.p99")).isPositive();
        assertThat(shown.getDouble("serving[0].perThousandPredictions.kWh")).isPositive();
        assertThat(shown.getString("serving[0].perThousandPredictions.method")).isEqualTo("model");
        // A column the model does not know is ignored, and the answer says which (a typo shows at once).
        Map<String, Object> misspelt = new HashMap<>(GENTOO);
        misspelt.put("bill_lenght_mm", 40.1);
        misspelt.put("species", "Gentoo");
        assertThat(predict(List.of(misspelt, GENTOO), 200).getList("ignoredColumns"))
                .containsExactly("bill_lenght_mm");
    }

    @Test
    void aFailedGateLeavesTheLiveVersionAndIsAudited() {
        promote(Map.of("version", "1"), 201);
        JsonPath refused = promote(
                Map.of(
                        "version",
                        "2",
                        "gates",
                        List.of(
                                Map.of("type", "threshold", "metric", "test_accuracy", "op", ">=", "value", 1.01),
                                Map.of("type", "threshold", "metric", "no_such_metric", "op", ">", "value", 0))),
                409);
        assertThat(refused.getString("code")).isEqualTo("INVALID_STATE");
        assertThat(refused.getString("message")).contains("2 gate(s) failed").contains("unchanged");
        assertThat(refused.getList("details.problem", String.class))
                .anySatisfy(p -> assertThat(p).contains("metrics.test_accuracy >= 1.01"))
                .anySatisfy(p -> assertThat(p).contains("has no test metric 'no_such_metric'"));

        assertThat(predict(List.of(GENTOO), 200).getInt("modelVersion")).isEqualTo(1);
        JsonPath history = models.history(endpoint);
        assertThat(history.getList("kind", String.class)).containsExactly("REJECTED", "PROMOTED");
        assertThat(history.getList("gates[0].passed", Boolean.class)).containsExactly(false, false);
        assertThat(history.getInt("[0].fromVersion")).isEqualTo(1);
        assertThat(history.getInt("[0].toVersion")).isEqualTo(2);
        assertThat(history.getString("[0].actor")).startsWith("user-");
    }

    @Test
    void beatsLiveComparesTheTestMetricWithTheLiveVersion() {
        int better = accuracy(2) >= accuracy(1) ? 2 : 1;
        int worse = 3 - better;
        promote(Map.of("version", String.valueOf(worse)), 201);
        JsonPath tooMuch = promote(
                Map.of(
                        "version",
                        String.valueOf(better),
                        "gates",
                        List.of(Map.of("type", "beats-live", "metric", "test_accuracy", "margin", 1.0))),
                409);
        assertThat(tooMuch.getString("details[0].problem")).contains("short of the margin 1.0");
        JsonPath passed = promote(
                Map.of(
                        "version",
                        String.valueOf(better),
                        "gates",
                        List.of(Map.of("type", "beats-live", "metric", "test_accuracy", "margin", 0))),
                201);
        assertThat(passed.getDouble("gates[0].live")).isEqualTo(accuracy(worse));
        assertThat(passed.getDouble("gates[0].candidate")).isEqualTo(accuracy(better));
    }

    @Test
    void aHeldOutGateScoresBothVersionsOnADatasetVersion() {
        promote(Map.of("version", "1"), 201);
        // The data both versions were trained on is not held out: refused unscored.
        Map<String, Object> trainingData = Map.of(
                "type", "held-out", "metric", "accuracy", "margin", 0, "dataset", "penguins", "datasetVersion", "1");
        assertThat(promote(Map.of("version", "2", "gates", List.of(trainingData)), 409)
                        .getString("details[0].problem"))
                .endsWith(": penguins version 1 is the data " + TrainedModels.MODEL + ":2 was trained on: a held-out"
                        + " gate scores on data neither version was trained on; name another dataset or version");
        // Nor are the same bytes under another name.
        String copy = unique("penguins-copy");
        newPenguins(token, team, copy);
        assertThat(promote(
                                Map.of(
                                        "version",
                                        "2",
                                        "gates",
                                        List.of(Map.of("type", "held-out", "metric", "accuracy", "dataset", copy))),
                                409)
                        .getString("details[0].problem"))
                .contains(": " + copy + " version 1 is the data " + TrainedModels.MODEL
                        + ":2 was trained on (penguins version 1, the same bytes)");
        String heldOut = models.heldOutData();
        Map<String, Object> gate = Map.of(
                "type", "held-out", "metric", "accuracy", "margin", 1.0, "dataset", heldOut, "datasetVersion", "1");
        JsonPath refused = promote(Map.of("version", "2", "gates", List.of(gate)), 409);
        assertThat(refused.getString("details[0].problem"))
                .contains("on " + heldOut + " version 1 (344 labelled rows)")
                .contains("short of the margin 1.0");

        JsonPath history = models.history(endpoint);
        double candidate = history.getDouble("[0].gates[0].candidate");
        double live = history.getDouble("[0].gates[0].live");
        assertThat(candidate).isBetween(0.0, 1.0);
        assertThat(live).isBetween(0.0, 1.0);
        assertThat(history.getString("[0].gates[0].gate"))
                .isEqualTo("beats the live version on test_accuracy by at least 1.0 on dataset " + heldOut
                        + " version 1 (higher is better)");
        // Scored again, the same versions on the same data give the same figures; the margin decides alone.
        Map<String, Object> lenient =
                Map.of("type", "held-out", "metric", "test_accuracy", "margin", 0, "dataset", heldOut);
        int better = candidate >= live ? 2 : 1;
        if (better == 2) {
            JsonPath passed = promote(Map.of("version", "2", "gates", List.of(lenient)), 201);
            assertThat(passed.getDouble("gates[0].candidate")).isEqualTo(candidate);
            assertThat(passed.getDouble("gates[0].live")).isEqualTo(live);
        } else {
            promote(Map.of("version", "2", "gates", List.of(lenient)), 409);
        }
        promote(Map.of("version", "2", "gates", List.of(Map.of("type", "held-out", "metric", "accuracy"))), 400);
        Map<String, Object> badVersion = new HashMap<>(gate);
        badVersion.put("datasetVersion", "first");
        assertThat(promote(Map.of("version", "2", "gates", List.of(lenient, badVersion)), 400)
                        .getString("details[0].field"))
                .isEqualTo("gates[1].datasetVersion");
    }

    @Test
    void rollbackReturnsToThePreviousVersionInOneCall() throws Exception {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2"), 201);
        assertThat(predict(List.of(GENTOO), 200).getInt("modelVersion")).isEqualTo(2);

        as(token)
                .body(Map.of("reason", "v2 misbehaves"))
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(200)
                .body("liveVersion", equalTo(1))
                .body("previousVersion", nullValue());
        assertThat(predict(List.of(GENTOO), 200).getInt("modelVersion")).isEqualTo(1);
        // No body, so no Content-Type needed (RestAssured would send one of its own: a plain HTTP client here).
        HttpResponse<String> again = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        server.resolve("api/v1/teams/" + team + "/endpoints/" + endpoint + "/rollback"))
                                .header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("no previous version");
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(200)
                .body("kind", equalTo(List.of("ROLLED_BACK", "PROMOTED", "PROMOTED")))
                .body("[0].reason", equalTo("v2 misbehaves"))
                .body("[0].fromVersion", equalTo(2))
                .body("[0].toVersion", equalTo(1));
        // A page at a time, or one kind of record.
        String trail = "/api/v1/teams/{t}/endpoints/{e}/promotions";
        as(token)
                .get(trail + "?limit=1&offset=1", team, endpoint)
                .then()
                .body("kind", equalTo(List.of("PROMOTED")))
                .body("[0].toVersion", equalTo(2));
        as(token).get(trail + "?kind=promoted", team, endpoint).then().body("toVersion", equalTo(List.of(2, 1)));
        for (String bad : List.of("limit=0", "limit=1001", "offset=-1", "kind=DEPLOYED")) {
            as(token)
                    .get(trail + "?" + bad, team, endpoint)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo(bad.substring(0, bad.indexOf('='))));
        }
    }

    @Test
    void deletingAnEndpointEndsItsCanaryOnTheRecord() {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2", "canaryPercent", 30), 201);
        predict(List.of(GENTOO), 200);
        as(token)
                .delete("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(204);
        JsonPath trail = as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(trail.getList("kind", String.class))
                .containsExactly("DELETED", "CANARY_ROLLED_BACK", "CANARY_STARTED", "PROMOTED");
        assertThat(trail.getString("[1].reason")).startsWith("the endpoint was deleted; the canary served ");
        assertThat(trail.getInt("[1].fromVersion")).isEqualTo(2);
        assertThat(trail.getInt("[0].fromVersion")).isEqualTo(1);
    }

    @Test
    void aShadowStartedBesideACanaryLeavesTheCanarysCountsAlone() {
        byte[] artifact = as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/2/artifact", team, TrainedModels.MODEL)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        String trio = unique("trio").toLowerCase(Locale.ROOT);
        for (int i = 0; i < 3; i++) {
            given().auth()
                    .oauth2(token)
                    .contentType("application/zip")
                    .body(artifact)
                    .post("/api/v1/teams/{t}/models/{m}/versions", team, trio)
                    .then()
                    .statusCode(201);
        }
        as(token)
                .body(Map.of("name", trio, "model", trio))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201);
        endpoint = trio;
        promote(Map.of("version", "1"), 201);
        // 20 requests, fewer than the default policy's 100 before it decides anything.
        promote(Map.of("version", "2", "canaryPercent", 50), 201);
        for (int i = 0; i < 20; i++) {
            predict(List.of(GENTOO), 200);
        }
        promote(Map.of("version", "3", "shadow", true), 201);
        JsonPath shown = as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, trio)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(shown.getInt("canary.version")).isEqualTo(2);
        assertThat(shown.getLong("canary.traffic.liveRequests") + shown.getLong("canary.traffic.canaryRequests"))
                .isEqualTo(20);
    }

    /** A shadow of the same version started again counts from zero: its comparison is of this shadow only. */
    @Test
    void aShadowStartedAgainCountsFromZero() throws SQLException {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2", "shadow", true), 201);
        for (int i = 0; i < 5; i++) {
            predict(List.of(GENTOO), 200);
        }
        assertThat(shadowCopies()).isEqualTo(5);
        // Stored for the other control planes about once a second; gone with the shadow.
        await().atMost(Duration.ofSeconds(20)).until(() -> shadowRows() > 0);
        as(token)
                .body(Map.of())
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(200);
        assertThat(shadowRows()).isZero();

        promote(Map.of("version", "2", "shadow", true), 201);

        assertThat(shadowCopies()).isZero();
        predict(List.of(GENTOO), 200);
        assertThat(shadowCopies()).isEqualTo(1);
    }

    @Inject
    AgroalDataSource dataSource;

    /** Rows of this endpoint's shadows in shadow_observations. */
    private long shadowRows() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM shadow_observations o JOIN endpoints"
                        + " e ON e.id = o.endpoint_id WHERE e.name = ?")) {
            count.setString(1, endpoint);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private long shadowCopies() {
        return as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("shadow.copies");
    }

    @Test
    void twoDeletesAtOnceDeleteOnceAndTheOtherFindsNothing() throws Exception {
        promote(Map.of("version", "1"), 201);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> deletes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                deletes.add(pool.submit(() -> as(token)
                        .delete("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                        .then()
                        .extract()
                        .statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> delete : deletes) {
                statuses.add(delete.get());
            }
            assertThat(statuses).containsExactlyInAnyOrder(204, 404, 404);
        } finally {
            pool.shutdown();
        }
        assertThat(models.history(endpoint).getList("kind")).containsExactly("DELETED", "PROMOTED");
    }

    @Test
    void oddBodiesAndPoliciesAreRefusedNotFailed() {
        promote(Map.of("version", "1"), 201);
        given().auth()
                .oauth2(token)
                .contentType("text/plain")
                .body("hello")
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(415);
        // A margin no canary could pass: it would never be rolled back.
        as(token)
                .body("{\"version\": \"2\", \"canaryPercent\": 10, \"canary\": {\"maxP99Increase\": 1e400}}")
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("canary.maxP99Increase"));
        promote(Map.of("version", "2", "canaryPercent", 10, "canary", Map.of("maxErrorRateIncrease", 2)), 400);
        assertThat(promote(Map.of("version", "2", "canaryPercent", 10, "canary", Map.of("minRequests", -1)), 400)
                        .getString("details[0].field"))
                .isEqualTo("canary.minRequests");
        // A shadow goes on beside whichever version is live: promoting the live one changes nothing.
        promote(Map.of("version", "2", "shadow", true), 201);
        promote(Map.of("version", "1"), 409);
    }

    @Inject
    LoadedVersions versions;

    @Inject
    EndpointRoutes routes;

    @Test
    void theSweepLoadsWhatTheEndpointsServeAheadOfTheirRequests() {
        promote(Map.of("version", "1"), 201);
        // As a restarted control plane, or one that did not make the promotion, finds itself.
        versions.unloadAll();
        assertThat(versions.loadedVersions()).isEmpty();
        versions.sweep(true);
        assertThat(versions.loadedVersions())
                .containsAll(routes.servedVersions())
                .isNotEmpty();
        predict(List.of(GENTOO), 200);
        // Without preloading, the sweep only unloads.
        versions.unloadAll();
        versions.sweep(false);
        assertThat(versions.loadedVersions()).isEmpty();
    }

    @Test
    void promotingTheLiveVersionAgainChangesNothingUnlessATrialRuns() {
        promote(Map.of("version", "1"), 201);
        assertThat(promote(Map.of("version", "1"), 409).getString("message"))
                .contains("is already live on endpoint")
                .contains("nothing to do");
        promote(Map.of("version", "2", "canaryPercent", 30), 201);
        // With a canary running, promoting the live version ends the canary and keeps the live version.
        promote(Map.of("version", "1"), 201);
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .body("liveVersion", equalTo(1))
                .body("canary", nullValue());
    }

    @Test
    void aRequestFieldTheApiDoesNotHaveIsRefusedNotIgnored() {
        promote(Map.of("version", "1"), 201);
        // A misspelt "gates" would have promoted version 2 with no gate at all.
        JsonPath refused = promote(
                Map.of("version", "2", "gate", List.of(Map.of("expression", "metrics.test_accuracy >= 2"))), 400);
        assertThat(refused.getString("code")).isEqualTo("INVALID_REQUEST");
        assertThat(refused.getString("details[0].field")).isEqualTo("gate");
        assertThat(refused.getString("details[0].problem"))
                .startsWith("is not a field here; the fields are ")
                .contains("gates")
                .doesNotContain("dev.canopy");
        promote(Map.of("version", "2", "canaryPrecent", 10), 400);
        // Text where a number or true/false belongs is refused, not read as one.
        assertThat(promote(Map.of("version", "2", "canaryPercent", "10"), 400).getString("details[0].field"))
                .isEqualTo("canaryPercent");
        promote(Map.of("version", "2", "shadow", "true"), 400);
        promote(Map.of("version", "2", "canary", Map.of("bogus", 1), "canaryPercent", 10), 400);
        as(token)
                .body("{\"records\": [{\"island\": \"Biscoe\"}]} {}")
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .statusCode(400)
                .body("message", containsString("text after the JSON value"));
        as(token).get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint).then().body("liveVersion", equalTo(1));
    }

    @Test
    void aDeletedEndpointsAuditTrailStays() {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2"), 201);
        as(token)
                .delete("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(204);
        as(token).get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint).then().statusCode(404);

        JsonPath trail = as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(trail.getList("kind", String.class)).containsExactly("DELETED", "PROMOTED", "PROMOTED");
        assertThat(trail.getString("[0].actor")).isNotBlank();
        assertThat(trail.getList("toVersion", Integer.class)).containsExactly(null, 2, 1);
        // The DELETED record names the version that was live.
        assertThat(trail.getList("fromVersion", Integer.class)).containsExactly(2, 1, null);

        // A new endpoint under the name starts a trail of its own; the old records stay the deleted one's.
        models.newEndpointNamed(endpoint);
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, "never-" + endpoint)
                .then()
                .statusCode(404);
    }

    @Test
    void aliasesNameOneVersionEachAndCanBePromoted() {
        String model = TrainedModels.MODEL;
        as(token)
                .body(Map.of("version", "1"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "challenger")
                .then()
                .statusCode(200)
                .body("version", equalTo(1))
                .body("aliases", hasItem("challenger"));
        as(token)
                .body(Map.of("version", "challenger"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "champion")
                .then()
                .statusCode(200)
                .body("version", equalTo(1));
        as(token)
                .body(Map.of("version", "2"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "challenger")
                .then()
                .statusCode(200)
                .body("version", equalTo(2));
        as(token)
                .get("/api/v1/teams/{t}/models/{m}", team, model)
                .then()
                .statusCode(200)
                .body("aliases.champion", equalTo(1))
                .body("aliases.challenger", equalTo(2));
        as(token)
                .body(Map.of("version", "1"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "latest")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("alias"));

        // An alias may be long, and may name another alias's version.
        String longAlias = "a-rather-long-alias-for-the-second-version";
        as(token)
                .body(Map.of("version", "challenger"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, longAlias)
                .then()
                .statusCode(200);
        as(token)
                .body(Map.of("version", longAlias))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "reviewed")
                .then()
                .statusCode(200)
                .body("version", equalTo(2));
        assertThat(promote(Map.of("version", "challenger"), 201).getInt("toVersion"))
                .isEqualTo(2);
        as(token)
                .delete("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "challenger")
                .then()
                .statusCode(204);
        as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/challenger", team, model)
                .then()
                .statusCode(404);
        // Numbers in ASCII digits from 1 on (Arabic-Indic one is not version 1, 0 is no version); a download names
        // the version it got.
        for (String notANumber : List.of("\u0661", "0", "-1")) {
            as(token)
                    .get("/api/v1/teams/{t}/models/{m}/versions/{v}", team, model, notANumber)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("version"));
        }
        as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/reviewed/artifact", team, model)
                .then()
                .statusCode(200)
                .header("Content-Disposition", containsString(model + "-v2.zip"));
    }

    @Test
    void descriptionsAndTagsChangeButLineageDoesNot() {
        String model = TrainedModels.MODEL;
        as(token)
                .body(Map.of("description", "Penguin species from measurements", "tags", Map.of("owner", "ml")))
                .patch("/api/v1/teams/{t}/models/{m}", team, model)
                .then()
                .statusCode(200)
                .body("description", equalTo("Penguin species from measurements"))
                .body("tags.owner", equalTo("ml"));
        as(token)
                .body(Map.of("description", "quick baseline", "tags", Map.of("stage", "baseline")))
                .patch("/api/v1/teams/{t}/models/{m}/versions/1", team, model)
                .then()
                .statusCode(200)
                .body("description", equalTo("quick baseline"))
                .body("tags.stage", equalTo("baseline"))
                .body("recipe", equalTo("tabular-classification"))
                .body("params.epochs", equalTo(2));
        for (String path : List.of("/api/v1/teams/{t}/models/{m}", "/api/v1/teams/{t}/models/{m}/versions/1")) {
            as(token).patch(path, team, model).then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
        }
    }

    @Test
    void badRequestsAreRefusedClearly() {
        // A misspelt metric is one whose better direction is not known: 400, asking.
        assertThat(promote(
                                Map.of(
                                        "version",
                                        "2",
                                        "gates",
                                        List.of(Map.of("type", "beats-live", "metric", "test_acuracy", "margin", 0))),
                                400)
                        .getString("details[0].problem"))
                .contains("check its spelling, or give higherIsBetter");
        // Said, it fails a beats-live gate even with nothing live to beat.
        JsonPath misspelt = promote(
                Map.of(
                        "version",
                        "2",
                        "gates",
                        List.of(Map.of(
                                "type", "beats-live", "metric", "test_acuracy", "margin", 0, "higherIsBetter", true))),
                409);
        assertThat(misspelt.getString("details[0].problem")).contains("has no test metric 'test_acuracy'");
        List<Object> nullGate = new ArrayList<>();
        nullGate.add(null);
        assertThat(promote(Map.of("version", "2", "gates", nullGate), 400).getString("details[0].field"))
                .isEqualTo("gates[0]");
        promote(Map.of("version", "2"), 201);
        Map<String, Object> bad = Map.of("island", "Biscoe", "bill_length_mm", "long");
        JsonPath error = predict(List.of(bad), 400);
        assertThat(error.getString("details[0].field")).isEqualTo("records.bill_length_mm");
        predict(List.of(), 400);
        List<Map<String, Object>> withNull = new ArrayList<>(List.of(GENTOO));
        withNull.add(null);
        assertThat(predict(withNull, 400).getString("details[0].field")).isEqualTo("records[1]");
        for (Object notARecord : List.of("Biscoe", 42, true, List.of("Biscoe"))) {
            assertThat(as(token)
                            .body(Map.of("records", List.of(notARecord)))
                            .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                            .then()
                            .statusCode(400)
                            .extract()
                            .jsonPath()
                            .getString("code"))
                    .isEqualTo("INVALID_REQUEST");
        }
        Map<String, Object> boolForNumber = new HashMap<>(GENTOO);
        boolForNumber.put("flipper_length_mm", true);
        assertThat(predict(List.of(boolForNumber), 400).getString("details[0].field"))
                .isEqualTo("records.flipper_length_mm");
        // A value so far outside the training data that the answer is not finite is the caller's error.
        Map<String, Object> heavy = new HashMap<>(GENTOO);
        heavy.put("body_mass_g", 1e308);
        JsonPath farOutside = predict(List.of(heavy), 400);
        assertThat(farOutside.getString("details[0].field")).isEqualTo("records.body_mass_g");
        assertThat(farOutside.getString("details[0].problem")).contains("standard deviations");
        Map<String, Object> listForCategory = new HashMap<>(GENTOO);
        listForCategory.put("island", List.of("Biscoe"));
        assertThat(predict(List.of(listForCategory), 400).getString("details[0].field"))
                .isEqualTo("records.island");
        // One more record than a request may hold: 413, before any model work.
        JsonPath tooMany = predict(Collections.nCopies(maxRequestRecords + 1, GENTOO), 413);
        assertThat(tooMany.getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
        // Only the four bad values reached the version, as rejected requests; none counts as its error.
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .body("serving[0].errors", equalTo(0))
                .body("serving[0].rejected", equalTo(4));
        // An island the model never saw goes to the category's "unknown" slot, as its spec says.
        Map<String, Object> unseen = new HashMap<>(GENTOO);
        unseen.put("island", "Atlantis");
        assertThat(predict(List.of(unseen), 200).getString("predictions[0].label"))
                .isIn("Adelie", "Chinstrap", "Gentoo");
        assertThat(promote(Map.of("version", "2", "canary", Map.of("minRequests", 5)), 400)
                        .getString("details[0].field"))
                .isEqualTo("canary");
        promote(Map.of("version", "99"), 404);
        // The live version as its own canary or shadow compares nothing.
        promote(Map.of("version", "2", "canaryPercent", 10), 409);
        promote(Map.of("version", "2", "shadow", true), 409);
        promote(Map.of("version", "2", "gates", List.of(Map.of("type", "threshold", "metric", "test_accuracy"))), 400);
        promote(Map.of("version", "2", "gates", List.of(Map.of("expression", "accuracy is good"))), 400);
        as(token)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, "no-such-endpoint")
                .then()
                .statusCode(404);
        as(token)
                .body(Map.of("name", endpoint, "model", TrainedModels.MODEL))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(409);
        as(token)
                .body(Map.of("name", "x" + endpoint, "model", "no-such-model"))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(404);
        // Text PostgreSQL cannot store (the NUL character), in a body or in a path: 400, nothing written.
        as(token)
                .body(Map.of("name", "nul-" + endpoint, "model", "a\u0000b"))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, "a\u0000b")
                .then()
                .statusCode(400);
        as(token)
                .body(Map.of("version", "1", "reason", "because\u0000"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(400);
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .body("liveVersion", equalTo(2));
    }

    @Test
    void aVersionOfAnotherTaskCannotTakeOverAnEndpoint() {
        String mass = models.regressionModel();
        // The species classifier uploaded under the regression model's name: the registry takes it.
        byte[] classifier = as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/1/artifact", team, TrainedModels.MODEL)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        int uploaded = given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .body(classifier)
                .post("/api/v1/teams/{t}/models/{m}/versions", team, mass)
                .then()
                .statusCode(201)
                .extract()
                .path("version");
        String masses = unique("mass").toLowerCase(Locale.ROOT);
        as(token)
                .body(Map.of("name", masses, "model", mass))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, masses)
                .then()
                .statusCode(201);
        // An endpoint's clients rely on the shape of its answers: values stay values.
        as(token)
                .body(Map.of("version", String.valueOf(uploaded), "canaryPercent", 10))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, masses)
                .then()
                .statusCode(409)
                .body("message", containsString("is a classification model and the live " + mass + ":1 a regression"));
        as(token)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, masses)
                .then()
                .statusCode(200)
                .body("modelVersion", equalTo(1))
                .body("predictions[0].value", notNullValue());
    }

    @Test
    void aCanaryRolledBackByAPersonKeepsWhatItServedOnTheRecord() {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2", "canaryPercent", 50), 201);
        for (int i = 0; i < 40; i++) {
            predict(List.of(GENTOO), 200);
        }
        as(token)
                .body(Map.of("reason", "x".repeat(2000)))
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(200);

        String reason = models.history(endpoint).getString("[0].reason");
        assertThat(reason).hasSize(2000).startsWith("xxx").contains("…; the canary served ");
        Matcher counts = Pattern.compile("the canary served (\\d+) requests \\(errors 0.00 % against live 0.00 % over"
                        + " (\\d+), p99 [0-9.]+ ms against [0-9.]+ ms\\)$")
                .matcher(reason);
        assertThat(counts.find()).as(reason).isTrue();
        assertThat(Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2)))
                .isEqualTo(40);
    }

    @Test
    void aPromotionThatReplacesACanaryRecordsTheCanarysEnd() {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2", "canaryPercent", 20), 201);
        promote(Map.of("version", "2"), 201);
        promote(Map.of("version", "1", "canaryPercent", 10), 201);
        promote(Map.of("version", "1", "canaryPercent", 30), 201);
        promote(Map.of("version", "2"), 201);

        JsonPath history = models.history(endpoint);
        assertThat(history.getList("kind"))
                .containsExactly(
                        "PROMOTED",
                        "CANARY_ROLLED_BACK",
                        "CANARY_STARTED",
                        "CANARY_ROLLED_BACK",
                        "CANARY_STARTED",
                        "PROMOTED",
                        "CANARY_COMPLETED",
                        "CANARY_STARTED",
                        "PROMOTED");
        assertThat(history.getString("[1].reason"))
                .isEqualTo("replaced by promoting species:2; the canary served 0 requests (errors 0.00 % against live"
                        + " 0.00 % over 0, p99 0.00 ms against 0.00 ms)");
        assertThat(history.getString("[3].reason")).startsWith("replaced by a canary of species:1; the canary served");
        assertThat(history.getString("[6].reason")).startsWith("completed by promoting species:2; the canary served");
        assertThat(history.getInt("[6].toVersion")).isEqualTo(2);
    }

    @Test
    void aShadowThatBecomesTheCanaryStopsBeingAShadow() {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2", "shadow", true), 201);
        promote(Map.of("version", "2", "canaryPercent", 20), 201);

        JsonPath history = models.history(endpoint);
        assertThat(history.getList("kind")).startsWith("CANARY_STARTED", "SHADOW_STOPPED", "SHADOW_STARTED");
        assertThat(history.getString("[1].reason")).isEqualTo("became the canary");
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .body("canary.version", equalTo(2))
                .body("shadow", nullValue());
        // The canary as a shadow would compare it with itself.
        promote(Map.of("version", "2", "shadow", true), 409);
    }

    @Test
    void aShadowThatGoesLiveStopsBeingAShadowOnTheRecord() {
        promote(Map.of("version", "1"), 201);
        promote(Map.of("version", "2", "shadow", true), 201);
        promote(Map.of("version", "2"), 201);

        JsonPath history = models.history(endpoint);
        assertThat(history.getList("kind")).startsWith("PROMOTED", "SHADOW_STOPPED", "SHADOW_STARTED");
        assertThat(history.getString("[1].reason")).isEqualTo("went live");
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .body("liveVersion", equalTo(2))
                .body("shadow", nullValue());
    }

    @Test
    void aHeldOutGateCountsLabelledRowsAndFailsOnDataWhoseLabelsTheCandidateNeverSaw() throws Exception {
        promote(Map.of("version", "1"), 201);
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/datasets/penguins.csv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        String header = lines.get(0);
        List<String> rows = lines.subList(1, lines.size());
        String relabelled = unique("emperors").toLowerCase(Locale.ROOT);
        TestApi.newDataset(token, team, relabelled);
        // Version 1: every species unknown to the models. Version 2: ten of them, and five rows without a label.
        StringBuilder unknown = new StringBuilder(header).append('\n');
        StringBuilder some = new StringBuilder(header).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            String rest = rows.get(i).substring(rows.get(i).indexOf(','));
            unknown.append("Emperor").append(rest).append('\n');
            some.append(i < 10 ? "Emperor" + rest : i < 15 ? rest : rows.get(i)).append('\n');
        }
        for (StringBuilder csv : List.of(unknown, some)) {
            TestApi.csv(token, csv.toString())
                    .post("/api/v1/teams/{t}/datasets/{d}/versions", team, relabelled)
                    .then()
                    .statusCode(201);
        }
        Map<String, Object> onUnknown = Map.of(
                "type", "held-out", "metric", "accuracy", "margin", 0, "dataset", relabelled, "datasetVersion", "1");
        assertThat(promote(Map.of("version", "2", "gates", List.of(onUnknown)), 409)
                        .getString("details[0].problem"))
                .contains("none of the 344 labelled rows of " + relabelled + " version 1 has a label "
                        + TrainedModels.MODEL);

        Map<String, Object> onSome = new HashMap<>(onUnknown);
        onSome.put("datasetVersion", "2");
        onSome.put("margin", 1.0);
        assertThat(promote(Map.of("version", "2", "gates", List.of(onSome)), 409)
                        .getString("details[0].problem"))
                .contains("on " + relabelled + " version 2 (339 labelled rows, 10 with a label ")
                .contains("was not trained on (misses)");
    }

    @Test
    void aHeldOutGateFailsAVersionThatAnswersNaN() throws Exception {
        String mass = models.regressionModel();
        byte[] regressor = as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/1/artifact", team, mass)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        int broken = given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .body(ServingTest.brokenCopy(regressor))
                .post("/api/v1/teams/{t}/models/{m}/versions", team, mass)
                .then()
                .statusCode(201)
                .extract()
                .path("version");
        String masses = unique("nan").toLowerCase(Locale.ROOT);
        as(token)
                .body(Map.of("name", masses, "model", mass))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201);
        // Nothing live to beat, but a version whose answers are NaN scores NaN: it fails.
        Map<String, Object> heldOut =
                Map.of("type", "held-out", "metric", "rmse", "margin", 0, "dataset", "penguins", "datasetVersion", "1");
        as(token)
                .body(Map.of("version", String.valueOf(broken), "gates", List.of(heldOut)))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, masses)
                .then()
                .statusCode(409)
                .body("details[0].problem", containsString("its answers are not finite"));

        // A classifier's NaN probabilities still name a label (the first class): it must fail all the same.
        byte[] classifier = as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/2/artifact", team, TrainedModels.MODEL)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        String species = unique("nan-species").toLowerCase(Locale.ROOT);
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .header("Canopy-Metrics", "{\"test_accuracy\": 0.99}")
                .body(ServingTest.brokenCopy(classifier))
                .post("/api/v1/teams/{t}/models/{m}/versions", team, species)
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of("name", species, "model", species))
                .post("/api/v1/teams/{t}/endpoints", team)
                .then()
                .statusCode(201);
        Map<String, Object> accuracy = Map.of(
                "type", "held-out", "metric", "accuracy", "margin", 0, "dataset", "penguins", "datasetVersion", "1");
        as(token)
                .body(Map.of("version", "1", "gates", List.of(accuracy)))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, species)
                .then()
                .statusCode(409)
                .body("details[0].problem", containsString("test_accuracy = NaN"))
                .body("details[0].problem", containsString("its answers are not finite"));
    }

    @Test
    void otherTeamsSeeNothingAndViewersCannotPromote() {
        promote(Map.of("version", "2"), 201);
        String other = newMember(newTeam(), "ADMIN");
        as(other).get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint).then().statusCode(404);
        as(other)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .statusCode(404);
        as(other)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(404);
        as(other)
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(404);
        as(other)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(404);
        as(other).get("/api/v1/teams/{t}/endpoints", team).then().statusCode(404);
        as(other)
                .delete("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(404);
        String model = TrainedModels.MODEL;
        as(other)
                .body(Map.of("version", "1"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "champion")
                .then()
                .statusCode(404);
        as(other)
                .delete("/api/v1/teams/{t}/models/{m}/aliases/{a}", team, model, "champion")
                .then()
                .statusCode(404);
        as(other)
                .body(Map.of("description", "mine now"))
                .patch("/api/v1/teams/{t}/models/{m}", team, model)
                .then()
                .statusCode(404);
        as(other)
                .body(Map.of("description", "mine now"))
                .patch("/api/v1/teams/{t}/models/{m}/versions/1", team, model)
                .then()
                .statusCode(404);
        as(other)
                .contentType("application/zip")
                .body(new byte[] {1})
                .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(404);
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .body("liveVersion", equalTo(2));
        String viewer = newMember(team, "VIEWER");
        as(viewer)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(403);
        as(viewer)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .statusCode(200);
    }
}
