package dev.canopy.api.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.canopy.api.PlatformProcess;
import dev.canopy.api.TempDirectories;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
        String samePort = "-Dquarkus.http.port=" + freePort();
        PlatformProcess platform = PlatformProcess.start(home, Map.of(), samePort);
        try {
            String admin = platform.adminToken();
            String runnerToken = runnerToken(platform, admin);
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
                second.penguinsAndExperiment(admin, "after-restart");
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

    /**
     * A control plane down for longer than a lease, while a run trains: the runner's reports wait for it (training
     * pauses), its heartbeats fail, and once it is back the first heartbeat renews the lease before the reaper looks
     * (it waits a lease after starting). The run goes on in its first attempt.
     */
    @Test
    void aRunTrainingThroughARestartOfItsControlPlaneKeepsItsAttempt() throws Exception {
        Path home = TempDirectories.create("canopy-it-outage");
        String[] options = {"-Dquarkus.http.port=" + freePort(), "-Dcanopy.queue.lease=10s"};
        PlatformProcess platform = PlatformProcess.start(home, Map.of(), options);
        try {
            String admin = platform.adminToken();
            String runnerToken = runnerToken(platform, admin);
            platform.penguinsAndExperiment(admin, "outage");
            try (RunnerProcess runner = RunnerProcess.start(URI.create(platform.baseUrl()), runnerToken, "outage")) {
                String run = api(platform, admin)
                        .body(Map.of(
                                "experiment",
                                "outage",
                                "dataset",
                                Map.of("name", "penguins", "version", "latest"),
                                "recipe",
                                "tabular-classification",
                                "params",
                                Map.of("label", "species", "epochs", 10_000, "earlyStoppingPatience", 10_000)))
                        .post("/api/v1/teams/default/runs")
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("id");
                PlatformProcess first = platform;
                await().atMost(Duration.ofMinutes(2)).until(() -> epochOf(first, admin, run) >= 2);

                assertThat(platform.stop()).isTrue();
                // Three failed heartbeats, 5 s apart: the lease (10 s) has run out.
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> runner.output().split("Heartbeat failed", -1).length > 3);
                platform = PlatformProcess.start(home, Map.of(), options);

                PlatformProcess second = platform;
                // For longer than a lease after the start (the reaper has looked), the run keeps its first attempt.
                await().during(Duration.ofSeconds(15))
                        .atMost(Duration.ofSeconds(40))
                        .until(() -> api(second, admin)
                                .get("/api/v1/teams/default/runs/{r}", run)
                                .then()
                                .extract()
                                .<Integer>path("attempt")
                                .equals(1));
                int resumedAt = epochOf(second, admin, run);
                await().atMost(Duration.ofMinutes(1)).until(() -> epochOf(second, admin, run) > resumedAt);
                api(second, admin)
                        .get("/api/v1/teams/default/runs/{r}", run)
                        .then()
                        .body("status", equalTo("RUNNING"))
                        .body("attempt", equalTo(1));
                assertThat(second.output()).doesNotContain("lost its runner");
                api(second, admin)
                        .post("/api/v1/teams/default/runs/{r}/cancel", run)
                        .then()
                        .statusCode(200);
            }
        } finally {
            platform.close();
        }
    }

    /** A port nothing listens on now, for a platform restarted on the same port. */
    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static String runnerToken(PlatformProcess platform, String admin) {
        return api(platform, admin)
                .body(Map.of("name", "runner"))
                .post("/api/v1/workers/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
    }

    /** The last epoch the run reported; 0 before its first. */
    private static int epochOf(PlatformProcess platform, String admin, String run) {
        Integer epoch = api(platform, admin)
                .get("/api/v1/teams/default/runs/{r}", run)
                .then()
                .statusCode(200)
                .extract()
                .path("progress.epoch");
        return epoch == null ? 0 : epoch;
    }

    private static RequestSpecification api(PlatformProcess platform, String token) {
        return given().baseUri(platform.baseUrl()).auth().oauth2(token).contentType(ContentType.JSON);
    }
}
