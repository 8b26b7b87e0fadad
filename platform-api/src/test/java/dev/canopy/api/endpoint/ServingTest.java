package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.TestApi;
import dev.canopy.api.config.CanopyConfig;
import dev.canopy.runner.inference.TabularModel;
import dev.canopy.runner.inference.TabularModel.Prediction;
import dev.canopy.runner.recipe.TestSplit;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Serving: the trained model's own answers, switches under load, canaries deciding by themselves, metrics. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class ServingTest {

    @Inject
    DeletedEndpoints deletedEndpoints;

    @Inject
    CanopyConfig config;

    @TestHTTPResource("/")
    URI server;

    TrainedModels models;
    String team;
    String token;
    String endpoint;

    @BeforeEach
    void endpoint() {
        models = TrainedModels.get();
        team = models.team;
        token = models.token;
        endpoint = models.newEndpoint("serve");
    }

    void promote(Map<String, Object> body) {
        as(token)
                .body(body)
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(201);
    }

    int predictStatus(List<Map<String, Object>> records) {
        return as(token)
                .body(Map.of("records", records))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .extract()
                .statusCode();
    }

    JsonPath shown() {
        return as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    byte[] artifact(int version) {
        return as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/{v}/artifact", team, TrainedModels.MODEL, version)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
    }

    @Test
    void everyPenguinGetsTheTrainedModelsAnswer() throws Exception {
        promote(Map.of("version", "2"));
        List<Map<String, Object>> penguins = TrainedModels.penguins();
        JsonPath answer = as(token)
                .body(Map.of("records", penguins))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        try (TabularModel model = TabularModel.load(artifact(2))) {
            List<Prediction> expected = model.predict(penguins);
            assertThat(answer.getList("predictions.label", String.class))
                    .containsExactlyElementsOf(
                            expected.stream().map(Prediction::label).toList());
            for (int i = 0; i < expected.size(); i++) {
                Map<String, Float> served = answer.getMap("predictions[" + i + "].probabilities");
                for (var entry : expected.get(i).probabilities().entrySet()) {
                    // Float32 matrix kernels round differently for different batch shapes: equal to 1e-6.
                    assertThat(((Number) served.get(entry.getKey())).doubleValue())
                            .as("penguin %d, %s", i, entry.getKey())
                            .isCloseTo(entry.getValue(), within(1e-6));
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theTestSplitServedByTheEndpointScoresTheVersionsRecordedTestAccuracy() throws Exception {
        promote(Map.of("version", "2"));
        Map<String, Object> version = new ObjectMapper()
                .readValue(
                        as(token)
                                .get("/api/v1/teams/{t}/models/{m}/versions/2", team, TrainedModels.MODEL)
                                .then()
                                .statusCode(200)
                                .extract()
                                .asString(),
                        Map.class);
        // The dataset version its run trained on, as the runner downloaded it, split with the run's params.
        Map<String, Object> dataset = (Map<String, Object>) version.get("dataset");
        Path csv = Files.createTempFile("canopy-test-split", ".csv");
        Files.write(
                csv,
                as(token)
                        .get(
                                "/api/v1/teams/{t}/datasets/{d}/versions/{v}/content",
                                team,
                                dataset.get("name"),
                                dataset.get("version"))
                        .then()
                        .statusCode(200)
                        .extract()
                        .asByteArray());
        TestSplit test = TestSplit.of(csv, (Map<String, Object>) version.get("params"));
        Files.delete(csv);

        List<String> served = as(token)
                .body(Map.of("records", test.records()))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("predictions.label", String.class);
        long correct = IntStream.range(0, test.labels().length)
                .filter(i -> served.get(i).equals(test.labels()[i]))
                .count();
        assertThat(test.labels()).hasSizeGreaterThan(30);
        assertThat((double) correct / test.labels().length)
                .isEqualTo(
                        ((Number) ((Map<String, Object>) version.get("metrics")).get("test_accuracy")).doubleValue());
    }

    @Test
    void switchingVersionsUnderLoadDropsNoRequest() throws Exception {
        promote(Map.of("version", "1"));
        AtomicBoolean stop = new AtomicBoolean();
        Set<Integer> statuses = ConcurrentHashMap.newKeySet();
        Set<Integer> versions = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        List<Future<Integer>> counts = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            counts.add(clients.submit(() -> {
                int n = 0;
                while (!stop.get()) {
                    var response = as(token)
                            .body(Map.of("records", List.of(GENTOO)))
                            .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint);
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 200) {
                        versions.add(response.jsonPath().getInt("modelVersion"));
                    }
                    n++;
                }
                return n;
            }));
        }
        promote(Map.of("version", "2"));
        as(token)
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(200);
        promote(Map.of("version", "2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> versions.size() == 2);
        stop.set(true);
        int total = 0;
        for (Future<Integer> count : counts) {
            total += count.get();
        }
        clients.shutdown();
        assertThat(total).isPositive();
        assertThat(statuses).containsExactly(200);
        assertThat(versions).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void aCanaryThatFailsIsRolledBackByItself() throws Exception {
        promote(Map.of("version", "2"));
        int broken = upload(brokenCopy(artifact(2)));
        startCanaryAtHalf(broken).body("kind", equalTo("CANARY_STARTED"));
        assertThat(shown().getString("status")).isEqualTo("CANARY");

        Set<Integer> statuses = ConcurrentHashMap.newKeySet();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            statuses.add(predictStatus(List.of(GENTOO)));
            return shown().getString("status").equals("LIVE");
        });
        assertThat(statuses).contains(200, 500);
        JsonPath endpointNow = shown();
        assertThat(endpointNow.getInt("liveVersion")).isEqualTo(2);
        assertThat(endpointNow.getMap("canary")).isNull();
        JsonPath history = models.history(endpoint);
        assertThat(history.getString("[0].kind")).isEqualTo("CANARY_ROLLED_BACK");
        assertThat(history.getString("[0].actor")).isEqualTo("canopy (canary policy)");
        assertThat(history.getString("[0].reason")).contains("error rate");
        assertThat(history.getInt("[0].fromVersion")).isEqualTo(broken);
        for (int i = 0; i < 20; i++) {
            assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        }
    }

    @Test
    void aCanaryThatRefusesRecordsTheLiveVersionTakesIsRolledBackByItself() throws Exception {
        promote(Map.of("version", "2"));
        // A numeric feature taken for a yes/no one: this copy refuses the numbers the live version takes.
        int narrow = upload(withSpec(artifact(2), spec -> {
            for (var feature : (ArrayNode) spec.get("features")) {
                if (feature.get("kind").asText().equals("NUMERIC")) {
                    ((ObjectNode) feature).put("kind", "BOOLEAN");
                    return;
                }
            }
        }));
        startCanaryAtHalf(narrow);

        Set<Integer> statuses = ConcurrentHashMap.newKeySet();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            statuses.add(predictStatus(List.of(GENTOO)));
            return shown().getString("status").equals("LIVE");
        });
        // Refused (400) by the canary only: counted as its errors, they roll it back as failures (500) would.
        assertThat(statuses).containsExactlyInAnyOrder(200, 400);
        JsonPath history = models.history(endpoint);
        assertThat(history.getString("[0].kind")).isEqualTo("CANARY_ROLLED_BACK");
        assertThat(history.getString("[0].reason")).contains("error rate");
        assertThat(history.getInt("[0].fromVersion")).isEqualTo(narrow);
    }

    /** Starts the version as a canary on half the traffic that decides after 10 requests. */
    private ValidatableResponse startCanaryAtHalf(int version) {
        return as(token)
                .body(Map.of(
                        "version",
                        String.valueOf(version),
                        "canaryPercent",
                        50,
                        "canary",
                        Map.of("minRequests", 10, "completeAfter", 500)))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(201);
    }

    @Test
    void aHealthyCanaryCompletesByItself() {
        promote(Map.of("version", "1"));
        promote(Map.of(
                "version",
                "2",
                "canaryPercent",
                50,
                "canary",
                Map.of("minRequests", 5, "completeAfter", 15, "maxP99Increase", 100.0)));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
            return shown().getString("status").equals("LIVE");
        });
        assertThat(shown().getInt("liveVersion")).isEqualTo(2);
        assertThat(shown().getInt("previousVersion")).isEqualTo(1);
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(200)
                .body("[0].kind", equalTo("CANARY_COMPLETED"))
                .body("[0].reason", containsString("within the policy"));
    }

    @Test
    void theCanaryShowsWhatItsPolicySees() {
        promote(Map.of("version", "1"));
        promote(Map.of(
                "version", "2", "canaryPercent", 50, "canary", Map.of("minRequests", 1000, "completeAfter", 1000)));
        for (int i = 0; i < 12; i++) {
            assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        }

        JsonPath shown = shown();

        assertThat(shown.getInt("canary.traffic.controlPlanes")).isEqualTo(1);
        assertThat(shown.getLong("canary.traffic.liveRequests") + shown.getLong("canary.traffic.canaryRequests"))
                .isEqualTo(12);
        assertThat(shown.getLong("canary.traffic.liveErrors") + shown.getLong("canary.traffic.canaryErrors"))
                .isZero();
        assertThat(Math.max(shown.getDouble("canary.traffic.liveP99Ms"), shown.getDouble("canary.traffic.canaryP99Ms")))
                .isPositive();
    }

    @Test
    void servingEnergyCountsEveryPredictionOfTheVersionAcrossUnloads() {
        // A version of its own, so that no other test's endpoint keeps it loaded or adds to its predictions.
        int copy = upload(artifact(1));
        promote(Map.of("version", String.valueOf(copy)));
        assertThat(predictStatus(List.of(GENTOO, GENTOO))).isEqualTo(200);
        JsonPath before = shown();
        // Another version goes live: no endpoint serves the copy, so it is unloaded; rolling back loads it again.
        promote(Map.of("version", "1"));
        as(token)
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(200);
        assertThat(predictStatus(List.of(GENTOO, GENTOO, GENTOO))).isEqualTo(200);

        JsonPath after = shown();

        assertThat(after.getInt("serving[0].version")).isEqualTo(copy);
        assertThat(after.getLong("serving[0].predictions")).isEqualTo(5);
        assertThat(after.getString("serving[0].perThousandPredictions.detail"))
                .contains("over 5 predictions, on 1 control plane)");
        assertThat(after.getInt("serving[0].perThousandPredictions.controlPlanes"))
                .isEqualTo(1);
        assertThat(after.getDouble("serving[0].perThousandPredictions.kWh")).isPositive();
        assertThat(after.getDouble("serving[0].perThousandPredictions.kgCo2e"))
                .isCloseTo(
                        after.getDouble("serving[0].perThousandPredictions.kWh")
                                * after.getDouble("serving[0].perThousandPredictions.gCo2ePerKwh")
                                / 1000,
                        within(1e-12));
        assertThat(after.getString("serving[0].perThousandPredictions.zone"))
                .isEqualTo(before.getString("serving[0].perThousandPredictions.zone"));
        assertThat(before.getString("serving[0].perThousandPredictions.detail")).contains("over 2 predictions");
    }

    @Test
    void aShadowSeesCopiesWhoseAnswersAreComparedAndNeverReturned() {
        promote(Map.of("version", "1"));
        as(token)
                .body(Map.of("version", "2", "shadow", true))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(201)
                .body("kind", equalTo("SHADOW_STARTED"));
        List<Map<String, Object>> penguins = TrainedModels.penguins().subList(0, 40);
        for (Map<String, Object> penguin : penguins) {
            assertThat(as(token)
                            .body(Map.of("records", List.of(penguin)))
                            .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, endpoint)
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath()
                            .getInt("modelVersion"))
                    .isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> shown().getLong("shadow.compared") == 40);
        JsonPath shadow = shown();
        assertThat(shadow.getInt("shadow.version")).isEqualTo(2);
        assertThat(shadow.getLong("shadow.copies")).isEqualTo(40);
        assertThat(shadow.getLong("shadow.errors")).isZero();
        assertThat(shadow.getBoolean("shadow.allControlPlanes")).isTrue();
        assertThat(shadow.getLong("shadow.agreed") + shadow.getLong("shadow.disagreed"))
                .isEqualTo(40);
        assertThat(shadow.getLong("serving[0].requests")).isEqualTo(40);
        assertThat(shadow.getString("status")).isEqualTo("LIVE");

        as(token)
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", team, endpoint)
                .then()
                .statusCode(200)
                .body("liveVersion", equalTo(1))
                .body("shadow", nullValue());
        as(token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .body("[0].kind", equalTo("SHADOW_STOPPED"));
        as(token)
                .body(Map.of("version", "2", "shadow", true, "canaryPercent", 10))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", team, endpoint)
                .then()
                .statusCode(400);
    }

    /** Series of deleted endpoints leave /q/metrics at the next forgetting (every 30 s); the others stay. */
    @Test
    void aDeletedEndpointsSeriesLeavePrometheus() {
        String kept = models.newEndpoint("kept");
        for (String e : List.of(endpoint, kept)) {
            models.promote(e, Map.of("version", "2"));
            as(token)
                    .body(Map.of("records", List.of(GENTOO)))
                    .post("/api/v1/teams/{t}/endpoints/{e}/predict", team, e)
                    .then()
                    .statusCode(200);
        }
        assertThat(prometheus()).contains("endpoint=\"" + endpoint + "\"", "endpoint=\"" + kept + "\"");

        as(token)
                .delete("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(204);
        deletedEndpoints.forget();

        assertThat(prometheus()).doesNotContain("endpoint=\"" + endpoint + "\"").contains("endpoint=\"" + kept + "\"");
    }

    /**
     * A version the endpoint no longer serves leaves /q/metrics at the next forgetting, and an endpoint made again
     * under a deleted one's name starts series of its own instead of sharing (and then losing) the old ones.
     */
    @Test
    void aReplacedVersionsSeriesLeavePrometheusAndANewEndpointOfAnOldNameCountsAfresh() {
        promote(Map.of("version", "1"));
        assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        promote(Map.of("version", "2"));
        assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        String one = "endpoint=\"" + endpoint + "\",outcome=\"success\",team=\"" + team + "\",version=\"1\"";
        String two = one.replace("version=\"1\"", "version=\"2\"");
        assertThat(prometheus()).contains(one, two);

        deletedEndpoints.forget();
        assertThat(prometheus()).doesNotContain(one).contains(two);

        // Deleted and made again before this control plane forgets: the same name, team and version.
        as(token)
                .delete("/api/v1/teams/{t}/endpoints/{e}", team, endpoint)
                .then()
                .statusCode(204);
        models.newEndpointNamed(endpoint);
        promote(Map.of("version", "2"));
        assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        deletedEndpoints.forget();
        assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        assertThat(prometheus()).contains("canopy_endpoint_requests_seconds_count{" + two + "} 1.0");
    }

    private static String prometheus() {
        return given().auth()
                .oauth2(adminToken())
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    @Test
    void latencyReachesPrometheus() {
        promote(Map.of("version", "2"));
        assertThat(predictStatus(List.of(GENTOO))).isEqualTo(200);
        assertThat(predictStatus(List.of(Map.of("bill_length_mm", "long")))).isEqualTo(400);
        String metrics = prometheus();
        assertThat(metrics)
                .containsPattern("canopy_endpoint_rejected_total\\{[^}]*endpoint=\"" + endpoint + "\"[^}]*} 1.0");
        assertThat(metrics)
                .containsPattern("canopy_endpoint_requests_seconds_count\\{[^}]*endpoint=\"" + endpoint
                        + "\"[^}]*outcome=\"success\"[^}]*} 1.0");
        assertThat(metrics).contains("canopy_endpoint_requests_seconds_bucket");
    }

    @Test
    void anUploadThatIsNotAModelIsRefused() throws Exception {
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .body(new byte[] {1, 2, 3})
                .post("/api/v1/teams/{t}/models/{m}/versions", team, "uploaded")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("archive"));
        // A readable spec with parameters that are not the network's: refused when they are loaded.
        byte[] garbled = withEntry(artifact(1), name -> name.endsWith(".params"), "garbage".getBytes());
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .body(garbled)
                .post("/api/v1/teams/{t}/models/{m}/versions", team, "uploaded")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("archive"))
                .body("details[0].problem", containsString("do its parameters fit the network spec.json describes"));
        as(token).get("/api/v1/teams/{t}/models/{m}", team, "uploaded").then().statusCode(404);
    }

    @Test
    void anUploadsMetricsHeaderIsOneJsonObjectOfNamedNumbersInUtf8() {
        String model = TestApi.unique("metrics").toLowerCase(Locale.ROOT);
        for (String bad : List.of(
                "{\"a\": 1} trailing",
                "{\"a\": 1}{\"b\": 2}",
                "{\"a\": 1, \"a\": 2}",
                "{\"\": 1}",
                "{\"" + "m".repeat(251) + "\": 1}",
                "{\"a\": null}",
                "{\"a\": \"0.9\"}",
                "{\"a\": true}",
                "{\"a\": 1e400}",
                "[1]")) {
            given().auth()
                    .oauth2(token)
                    .contentType("application/zip")
                    .header("Canopy-Metrics", bad)
                    .body(artifact(1))
                    .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("Canopy-Metrics"));
        }
        // On the wire the header is the UTF-8 bytes of the name (as curl sends it); this client sends header text as
        // ISO-8859-1, one byte a character.
        String utf8 = new String("{\"café\": 0.5}".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .header("Canopy-Metrics", utf8)
                .body(artifact(1))
                .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(201)
                .body("metrics", equalTo(Map.of("café", 0.5f)));
    }

    /**
     * A token that stops being usable while its archive still arrives registers nothing (as for dataset uploads): here
     * it expires, three seconds after it is made, between the head (let in) and the end of the body.
     */
    @Test
    void anUploadWhoseTokenRunsOutWhileItArrivesRegistersNothing() throws Exception {
        Instant expiresAt = Instant.now().plusSeconds(3);
        String shortLived = as(TestApi.newMember(team, "MEMBER"))
                .body(Map.of("name", "short-lived", "expiresAt", expiresAt.toString()))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        String model = TestApi.unique("expired").toLowerCase(Locale.ROOT);
        // Bytes of its own, so that no other upload stored them.
        byte[] archive =
                withSpec(artifact(1), spec -> spec.putObject("trainingParams").put("note", model));
        long uploadsBefore = uploadedFiles();
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST /api/v1/teams/" + team + "/models/" + model + "/versions HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + shortLived + "\r\n"
                    + "Content-Type: application/zip\r\nContent-Length: " + archive.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(archive, 0, archive.length / 2);
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiresAt.plusMillis(500)));
            out.write(archive, archive.length / 2, archive.length - archive.length / 2);
            out.flush();
            String status = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).isEqualTo("HTTP/1.1 401 Unauthorized");
        }
        as(token).get("/api/v1/teams/{t}/models/{m}", team, model).then().statusCode(404);
        // Nor is its archive left in the artifact store, where nothing would point at it.
        assertThat(uploadedFiles()).isEqualTo(uploadsBefore);
    }

    /** Uploaded archives in the artifact store, of every team. */
    private long uploadedFiles() throws IOException {
        Path models = config.artifactsPath().resolve("models");
        if (!Files.isDirectory(models)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(models)) {
            return files.filter(f -> f.getParent().getFileName().toString().equals("uploads"))
                    .count();
        }
    }

    @Test
    void anUploadStoresWhatWasCheckedAndNothingElse() throws Exception {
        String model = TestApi.unique("canonical").toLowerCase(Locale.ROOT);
        byte[] archive = artifact(1);
        // Bytes after the zip's end are read by nobody, and were stored and served back all the same.
        byte[] padded = Arrays.copyOf(archive, archive.length + 100_000);
        Arrays.fill(padded, archive.length, padded.length, (byte) 7);
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .body(padded)
                .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(201);
        byte[] stored = as(token)
                .get("/api/v1/teams/{t}/models/{m}/versions/1/artifact", team, model)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        assertThat(stored.length).isLessThan(archive.length + 1_000);
        // The spec and parameters themselves, byte for byte.
        assertThat(entries(stored)).isEqualTo(entries(archive));

        // A spec read as strictly as a request: no text for a number, nothing after the object, not null.
        byte[] spec = entry(archive, "spec.json");
        Map<String, byte[]> specs = Map.of(
                "text after the JSON object",
                (new String(spec, StandardCharsets.UTF_8) + " {}").getBytes(StandardCharsets.UTF_8),
                "spec.json is null",
                "null".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> broken : specs.entrySet()) {
            given().auth()
                    .oauth2(token)
                    .contentType("application/zip")
                    .body(withEntry(archive, "spec.json"::equals, broken.getValue()))
                    .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                    .then()
                    .statusCode(400)
                    .body("message", containsString(broken.getKey()));
        }
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .body(withSpec(archive, json -> {
                    for (var feature : json.get("features")) {
                        if (feature.get("kind").asText().equals("NUMERIC")) {
                            ((ObjectNode) feature).put("std", "1.0");
                            return;
                        }
                    }
                }))
                .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(400)
                .body("message", containsString("std' has the wrong type"));
        // The metrics header: once, and an object.
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .header("Canopy-Metrics", "null")
                .body(archive)
                .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("Canopy-Metrics"));
        given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .header("Canopy-Metrics", "{\"a\": 1}")
                .header("Canopy-Metrics", "{\"b\": 2}")
                .body(archive)
                .post("/api/v1/teams/{t}/models/{m}/versions", team, model)
                .then()
                .statusCode(400)
                .body("details[0].problem", containsString("once"));
    }

    private static Map<String, String> entries(byte[] archive) throws Exception {
        Map<String, String> entries = new java.util.TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), java.util.HexFormat.of().formatHex(in.readAllBytes()));
            }
        }
        return entries;
    }

    /** The content of the archive's entry {@code name}. */
    private static byte[] entry(byte[] archive, String name) throws Exception {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IllegalArgumentException("no entry " + name);
    }

    /** The archive with its spec.json changed by {@code change}. */
    static byte[] withSpec(byte[] archive, java.util.function.Consumer<ObjectNode> change) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode tree = (ObjectNode) json.readTree(entry(archive, "spec.json"));
        change.accept(tree);
        return withEntry(archive, "spec.json"::equals, json.writeValueAsBytes(tree));
    }

    /** The archive with the content of the entries {@code named} replaced. */
    static byte[] withEntry(byte[] archive, java.util.function.Predicate<String> named, byte[] content)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(archive));
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(named.test(entry.getName()) ? content : bytes);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    int upload(byte[] archive) {
        return given().auth()
                .oauth2(token)
                .contentType("application/zip")
                .header("Canopy-Metrics", "{\"test_accuracy\": 0.99}")
                .body(archive)
                .post("/api/v1/teams/{t}/models/{m}/versions", team, TrainedModels.MODEL)
                .then()
                .statusCode(201)
                .extract()
                .path("version");
    }

    /** The archive with every numeric feature's standard deviation set to 0: it loads, and answers NaN. */
    static byte[] brokenCopy(byte[] archive) throws Exception {
        return withSpec(archive, spec -> {
            for (var feature : (ArrayNode) spec.get("features")) {
                if (feature.get("kind").asText().equals("NUMERIC")) {
                    ((ObjectNode) feature).put("std", 0.0);
                }
            }
        });
    }
}
