package dev.canopy.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged platform as a user runs it ({@code java -jar}): the embedded database keeps everything across a
 * stop and start, two platforms with different homes run side by side, and the log names the admin token's file
 * but never the token.
 */
class PlatformProcessIT {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    private final List<Process> processes = new ArrayList<>();

    record Platform(Process process, Path log, int port) {
        String url() {
            return "http://localhost:" + port;
        }
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void keepsDataAcrossRestartsAndRunsBesideAnotherHome() throws Exception {
        Path homeA = Files.createTempDirectory("canopy-it-a");
        Path homeB = Files.createTempDirectory("canopy-it-b");
        Platform a = start(homeA);
        Platform b = start(homeB);

        String tokenA = Files.readString(homeA.resolve("admin-token")).trim();
        String tokenB = Files.readString(homeB.resolve("admin-token")).trim();
        assertThat(tokenA).isNotEqualTo(tokenB);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(homeA.resolve("admin-token"))))
                .isEqualTo("rw-------");

        String run = seed(a, tokenA);
        given().baseUri(b.url())
                .auth()
                .oauth2(tokenB)
                .get("/api/v1/teams/default/datasets")
                .then()
                .body("size()", equalTo(0));
        given().baseUri(b.url()).auth().oauth2(tokenA).get("/api/v1/me").then().statusCode(401);

        String firstLog = Files.readString(a.log());
        assertThat(firstLog)
                .contains("admin token written to " + homeA.resolve("admin-token"))
                .doesNotContain(tokenA);

        a.process().destroy();
        assertThat(a.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        Platform again = start(homeA);
        assertThat(Files.readString(homeA.resolve("admin-token")).trim()).isEqualTo(tokenA);
        given().baseUri(again.url())
                .auth()
                .oauth2(tokenA)
                .get("/api/v1/teams/default/runs/{r}", run)
                .then()
                .statusCode(200)
                .body("params.lr", equalTo("0.1"))
                .body("latestMetrics.loss", equalTo(0.25f));
        given().baseUri(again.url())
                .auth()
                .oauth2(tokenA)
                .get("/api/v1/teams/default/datasets/kept/versions/1/content")
                .then()
                .statusCode(200)
                .body(equalTo("a,b\n1,2\n"));
        assertThat(Files.readString(again.log())).doesNotContain("First start").doesNotContain(tokenA);
    }

    private static String seed(Platform p, String token) {
        var api = given().baseUri(p.url()).auth().oauth2(token).contentType(ContentType.JSON);
        api.body(Map.of("name", "kept"))
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(201);
        given().baseUri(p.url())
                .auth()
                .oauth2(token)
                .contentType("text/csv")
                .body("a,b\n1,2\n")
                .post("/api/v1/teams/default/datasets/kept/versions")
                .then()
                .statusCode(201);
        given().baseUri(p.url())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "e"))
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(201);
        String run = given().baseUri(p.url())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("experiment", "e", "params", Map.of("lr", "0.1")))
                .post("/api/v1/teams/default/runs")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().baseUri(p.url())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("points", List.of(Map.of("key", "loss", "step", 3, "value", 0.25))))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(200);
        return run;
    }

    private Platform start(Path home) throws IOException {
        Path log = home.resolve("platform-" + System.nanoTime() + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-Dquarkus.http.port=0",
                        "-jar",
                        Path.of("target/quarkus-app/quarkus-run.jar")
                                .toAbsolutePath()
                                .toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("CANOPY_HOME", home.toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE"));
        Process process = builder.start();
        processes.add(process);
        int[] port = new int[1];
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    assertThat(process.isAlive())
                            .as("platform exited; see %s", log)
                            .isTrue();
                    Matcher m = LISTENING.matcher(Files.readString(log));
                    if (m.find()) {
                        port[0] = Integer.parseInt(m.group(1));
                        return true;
                    }
                    return false;
                });
        return new Platform(process, log, port[0]);
    }
}
