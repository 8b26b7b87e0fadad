package dev.canopy.api.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.PlatformProcess;
import dev.canopy.api.TempDirectories;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A standalone runner outlives a restart of its control plane: while the platform is down its claims fail and it
 * claims again, waiting longer each time, and once the platform is back it trains the next run submitted.
 */
class RunnerReconnectIT {

    @Test
    void aRunnerWaitsOutARestartOfItsControlPlane() throws Exception {
        Path home = TempDirectories.create("canopy-it-reconnect");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String samePort = "-Dquarkus.http.port=" + port;
        PlatformProcess platform = PlatformProcess.start(home, Map.of(), samePort);
        try {
            String admin = platform.adminToken();
            String runnerToken = api(platform, admin)
                    .body(Map.of("name", "reconnecting runner"))
                    .post("/api/v1/workers/tokens")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("token");
            try (RunnerProcess runner =
                    RunnerProcess.start(URI.create(platform.baseUrl()), runnerToken, "reconnecting")) {
                PlatformProcess first = platform;
                await().atMost(Duration.ofMinutes(1)).until(() -> "ONLINE"
                        .equals(api(first, admin)
                                .get("/api/v1/workers")
                                .then()
                                .extract()
                                .path("find { it.name == 'reconnecting' }.state")));

                assertThat(platform.stop()).isTrue();
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> runner.output().contains("Claim failed"));
                platform = PlatformProcess.start(home, Map.of(), samePort);

                PlatformProcess second = platform;
                api(second, admin)
                        .body(Map.of("name", "penguins"))
                        .post("/api/v1/teams/default/datasets")
                        .then()
                        .statusCode(201);
                api(second, admin)
                        .contentType("text/csv")
                        .body(Files.readAllBytes(Path.of("src/test/resources/datasets/penguins.csv")))
                        .post("/api/v1/teams/default/datasets/penguins/versions")
                        .then()
                        .statusCode(201);
                api(second, admin)
                        .body(Map.of("name", "after-restart"))
                        .post("/api/v1/teams/default/experiments")
                        .then()
                        .statusCode(201);
                String run = api(second, admin)
                        .body(Map.of(
                                "experiment",
                                "after-restart",
                                "dataset",
                                Map.of("name", "penguins", "version", "latest"),
                                "recipe",
                                "tabular-classification",
                                "params",
                                Map.of("label", "species", "epochs", 3)))
                        .post("/api/v1/teams/default/runs")
                        .then()
                        .log()
                        .ifValidationFails()
                        .statusCode(201)
                        .extract()
                        .path("id");
                await().atMost(Duration.ofMinutes(3)).until(() -> "FINISHED"
                        .equals(api(second, admin)
                                .get("/api/v1/teams/default/runs/{r}", run)
                                .then()
                                .extract()
                                .path("status")));
                assertThat(runner.process.isAlive())
                        .as("runner log:%n%s", runner.output())
                        .isTrue();
                assertThat(runner.output()).contains("Run " + run + " finished");
            }
        } finally {
            platform.close();
        }
    }

    private static RequestSpecification api(PlatformProcess platform, String token) {
        return given().baseUri(platform.baseUrl()).auth().oauth2(token).contentType(ContentType.JSON);
    }
}
