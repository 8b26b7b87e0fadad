package dev.canopy.api.worker;

import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two embedded runners share one process, and DJL's PyTorch engine keeps training state process-wide (one gradient
 * collector at a time): they take turns, and both runs finish, where the second used to fail within its first
 * batches ("A PtGradientCollector is already collecting").
 */
@QuarkusTest
@TestProfile(TwoEmbeddedRunnersTest.TwoRunners.class)
class TwoEmbeddedRunnersTest {

    public static class TwoRunners implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canopy.runner.embedded.count", "2");
        }
    }

    @Test
    void twoRunsQueuedTogetherBothTrain() {
        FakeRunner.RunnerTeam fixture = FakeRunner.newRunnerTeam();
        List<String> runs = List.of(submit(fixture), submit(fixture));

        for (String run : runs) {
            await().atMost(Duration.ofMinutes(3))
                    .until(() -> !List.of("QUEUED", "RUNNING").contains(status(fixture, run)));
            assertThat(as(fixture.owner())
                            .get("/api/v1/teams/{t}/runs/{r}", fixture.team(), run)
                            .then()
                            .extract()
                            .jsonPath()
                            .getString("status"))
                    .as("run %s", run)
                    .isEqualTo("FINISHED");
        }
    }

    private static String submit(FakeRunner.RunnerTeam fixture) {
        return as(fixture.owner())
                .body(QueueProtocolTest.trainedRun(
                        "tabular-classification",
                        Map.of("params", Map.of("label", "species", "epochs", 40, "earlyStoppingPatience", 40))))
                .post("/api/v1/teams/{t}/runs", fixture.team())
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static String status(FakeRunner.RunnerTeam fixture, String run) {
        return as(fixture.owner())
                .get("/api/v1/teams/{t}/runs/{r}", fixture.team(), run)
                .then()
                .extract()
                .path("status");
    }
}
