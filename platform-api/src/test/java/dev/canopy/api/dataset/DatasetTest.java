package dev.canopy.api.dataset;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.canopy.api.TestApi;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class DatasetTest {

    @ConfigProperty(name = "canopy.home")
    String home;

    @TestHTTPResource("/")
    URI server;

    String team;
    String token;

    @BeforeEach
    void team() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        newDataset(token, team, "penguins");
    }

    static byte[] penguins() throws IOException {
        try (InputStream in = DatasetTest.class.getResourceAsStream("/datasets/penguins.csv")) {
            return in.readAllBytes();
        }
    }

    @Test
    void profilesAnUploadedVersionAndKeepsItsBytes() throws IOException {
        byte[] bytes = penguins();
        String profile = given().auth()
                .oauth2(token)
                .contentType("text/csv")
                .body(bytes)
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201)
                .header("Location", endsWith("/api/v1/teams/" + team + "/datasets/penguins/versions/1"))
                .body("version", equalTo(1))
                .body("sha256", equalTo("d2bf32fa5418e84bc9e22d7c0e5f6f4f86ec490d2567caf7c969060613a22a6c"))
                .body("sizeBytes", equalTo(13824))
                .body("rowCount", equalTo(344))
                .body(
                        "columns.name",
                        contains(
                                "species",
                                "island",
                                "bill_length_mm",
                                "bill_depth_mm",
                                "flipper_length_mm",
                                "body_mass_g",
                                "sex"))
                .body(
                        "columns.type",
                        contains(
                                "CATEGORICAL",
                                "CATEGORICAL",
                                "NUMERIC",
                                "NUMERIC",
                                "NUMERIC",
                                "NUMERIC",
                                "CATEGORICAL"))
                .body("columns.missing", contains(0, 0, 2, 2, 2, 2, 10))
                .body("columns[2].distinct", equalTo(164))
                .body("columns[2].min", equalTo(32.1f))
                .body("columns[2].max", equalTo(59.6f))
                .body("columns[0].min", nullValue())
                .body("columns[0].topCategories.value", contains("Adelie", "Gentoo", "Chinstrap"))
                .body("columns[0].topCategories.count", contains(152, 124, 68))
                .extract()
                .asString();
        // Expected statistics computed independently with Python's statistics module.
        JsonPath doubles = new JsonPath(profile).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        assertThat(doubles.getDouble("columns[2].mean")).isCloseTo(43.9219298245614, within(1e-9));
        assertThat(doubles.getDouble("columns[2].std")).isCloseTo(5.4595837139265315, within(1e-9));
        assertThat(doubles.getDouble("columns[5].mean")).isCloseTo(4201.754385964912, within(1e-9));

        byte[] downloaded = given().auth()
                .oauth2(token)
                .get("/api/v1/teams/{t}/datasets/penguins/versions/latest/content", team)
                .then()
                .statusCode(200)
                .contentType("text/csv; charset=utf-8")
                .header("ETag", "\"d2bf32fa5418e84bc9e22d7c0e5f6f4f86ec490d2567caf7c969060613a22a6c\"")
                .extract()
                .asByteArray();
        assertThat(downloaded).isEqualTo(bytes);
    }

    @Test
    void theSameBytesAgainReturnTheExistingVersion() {
        csv(token, "a,b\n1,2\n")
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        csv(token, "a,b\n1,2\n3,4\n")
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        csv(token, "a,b\n1,2\n")
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(200)
                .body("version", equalTo(1));
        as(token)
                .get("/api/v1/teams/{t}/datasets/penguins/versions/latest", team)
                .then()
                .body("version", equalTo(2))
                .body("rowCount", equalTo(2));
        as(token)
                .get("/api/v1/teams/{t}/datasets/penguins", team)
                .then()
                .body("latestVersion", equalTo(2))
                .body("versionCount", equalTo(2));
    }

    /** Versions come a page at a time (each with its profile), oldest first unless asked for the newest. */
    @Test
    void listsVersionsAPageAtATime() {
        for (String rows : List.of("1,2\n", "1,2\n3,4\n", "1,2\n3,4\n5,6\n")) {
            csv(token, "a,b\n" + rows)
                    .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                    .then()
                    .statusCode(201);
        }
        String versions = "/api/v1/teams/{t}/datasets/penguins/versions";

        as(token).get(versions, team).then().body("version", equalTo(List.of(1, 2, 3)));
        as(token)
                .get(versions + "?order=desc&limit=2", team)
                .then()
                .body("version", equalTo(List.of(3, 2)))
                .body("[0].columns.size()", equalTo(2));
        as(token).get(versions + "?offset=2", team).then().body("version", equalTo(List.of(3)));
        as(token).get(versions + "?limit=101", team).then().statusCode(400).body("details[0].field", equalTo("limit"));
        as(token)
                .get(versions + "?order=newest", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("order"));
        as(token)
                .get("/api/v1/teams/{t}/datasets", team)
                .then()
                .body("find { it.name == 'penguins' }.latestVersion", equalTo(3));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "a,b\\n1,2\\n3\\n|line 3: row has 1 field, the header has 2",
                "a,b\\n1,\"x\\n2,3\\n|line 2: unterminated quoted field",
                "a,b\\n1,x\"y\\n|line 2: unexpected quote in unquoted field",
                "|line 1: the file is empty",
                "a,b\\n|line 2: the file has a header but no data rows",
            })
    void refusesMalformedCsvNamingTheLineAndStoresNothing(String content, String problem) throws IOException {
        String body = content == null ? "" : content.replace("\\n", "\n");
        csv(token, body)
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("content"))
                .body("details[0].problem", equalTo(problem));
        as(token)
                .get("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .body("size()", equalTo(0));
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void refusesBinaryContent() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        given().auth()
                .oauth2(token)
                .contentType("application/octet-stream")
                .body(png)
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("message", equalTo("Malformed CSV at line 1: not valid UTF-8 text (is this a binary file?)"));
        assertThat(stagedFiles()).isEmpty();
    }

    @Test
    void concurrentUploadsGetConsecutiveVersions() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Callable<Integer>> uploads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String content = "x,y\n" + i + ",1\n";
            uploads.add(() -> csv(token, content)
                    .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("version"));
        }
        List<Integer> versions = new ArrayList<>();
        for (Future<Integer> f : pool.invokeAll(uploads)) {
            versions.add(f.get());
        }
        pool.shutdown();
        assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void explainsUnknownDatasetsAndVersions() {
        as(token)
                .get("/api/v1/teams/{t}/datasets/nope/versions/latest", team)
                .then()
                .statusCode(404)
                .body("message", equalTo("dataset 'nope' not found"));
        as(token)
                .get("/api/v1/teams/{t}/datasets/penguins/versions/7", team)
                .then()
                .statusCode(404)
                .body("message", equalTo("version 7 of dataset 'penguins' not found"));
        as(token)
                .get("/api/v1/teams/{t}/datasets/penguins/versions/seven", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("version"));
        as(token)
                .body("{\"name\": \"bad name!\"}")
                .post("/api/v1/teams/{t}/datasets", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("name"));
        as(token)
                .body("{\"name\": \"penguins\"}")
                .post("/api/v1/teams/{t}/datasets", team)
                .then()
                .statusCode(409)
                .body("code", equalTo("CONFLICT"));
    }

    /**
     * An upload lets its caller in when it starts; a token revoked while the body still streams stores nothing when
     * it ends (a leaked token's slow upload would otherwise land, and fire the dataset's schedules).
     */
    @Test
    void anUploadWhoseTokenIsRevokedWhileItStreamsStoresNothing() throws Exception {
        TestApi.Member uploader = TestApi.newMemberWithToken(team, "MEMBER");
        List<Path> stagedBefore = stagedFiles();
        PipedOutputStream body = new PipedOutputStream();
        PipedInputStream streamed = new PipedInputStream(body, 1 << 16);
        HttpRequest request = HttpRequest.newBuilder(
                        server.resolve("api/v1/teams/" + team + "/datasets/penguins/versions"))
                .header("Authorization", "Bearer " + uploader.token())
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> streamed))
                .build();
        CompletableFuture<HttpResponse<String>> upload =
                HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
        body.write("a,b\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2000; i++) {
            body.write((i + "," + (i * 2) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        body.flush();
        // Let in and streaming: its staged file is there.
        await().atMost(Duration.ofSeconds(20)).until(() -> stagedFiles().size() > stagedBefore.size());

        as(adminToken())
                .delete("/api/v1/tokens/{id}", uploader.tokenId())
                .then()
                .statusCode(204);
        body.write("2000,4000\n".getBytes(StandardCharsets.UTF_8));
        body.close();

        HttpResponse<String> response = upload.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        as(token)
                .get("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(200)
                .body("", hasSize(0));
    }

    @Inject
    DatasetUpload receiver;

    /**
     * A control plane receives so many uploads at once (canopy.datasets.concurrent-uploads, by default one per 256
     * MiB of heap, 4 to 8), each of which may hold 64 MiB of distinct values: one more waits, its body unread, until
     * one of them ends, and then goes through.
     */
    @Test
    void anUploadPastTheLimitWaitsForOneUnderWay() throws Exception {
        int limit = receiver.permits();
        assertThat(limit).isBetween(4, 8);
        int stagedBefore = stagedFiles().size();
        List<PipedOutputStream> bodies = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            as(token).body(Map.of("name", "slow-" + i)).post("/api/v1/teams/{t}/datasets", team);
            PipedOutputStream body = new PipedOutputStream();
            PipedInputStream streamed = new PipedInputStream(body, 1 << 20);
            slow.add(HTTP_1_1.sendAsync(
                    csvUpload("slow-" + i, HttpRequest.BodyPublishers.ofInputStream(() -> streamed)),
                    HttpResponse.BodyHandlers.ofString()));
            // Past the server's input buffer, which it fills before it hands the body over.
            body.write("a,b\n".getBytes(StandardCharsets.UTF_8));
            for (int row = 0; row < 5000; row++) {
                body.write((row + "," + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
            body.flush();
            bodies.add(body);
        }
        // All let in and streaming: their staged files are there.
        await().atMost(Duration.ofSeconds(30)).until(() -> stagedFiles().size() >= stagedBefore + limit);

        CompletableFuture<HttpResponse<String>> onePast = HTTP_1_1.sendAsync(
                csvUpload("penguins", HttpRequest.BodyPublishers.ofString("a,b\n1,2\n")),
                HttpResponse.BodyHandlers.ofString());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !onePast.isDone());

        bodies.get(0).close();
        assertThat(slow.get(0).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        assertThat(onePast.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        for (int i = 1; i < limit; i++) {
            bodies.get(i).close();
            assertThat(slow.get(i).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        }
    }

    /** Plain HTTP/1.1: an upgrade to HTTP/2 (h2c) would wait for the whole body first. */
    private static final HttpClient HTTP_1_1 =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpRequest csvUpload(String dataset, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(server.resolve("api/v1/teams/" + team + "/datasets/" + dataset + "/versions"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "text/csv")
                .POST(body)
                .build();
    }

    private List<Path> stagedFiles() throws IOException {
        Path staging = Path.of(home, "artifacts", ".staging");
        if (!Files.exists(staging)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(staging)) {
            return files.toList();
        }
    }
}
