package dev.canopy.api.worker;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.PlatformProcess;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two embedded runners in one control plane take turns to train: DJL's PyTorch engine keeps training state
 * process-wide (one gradient collector may collect at a time), so two runs trained at once in one process made the
 * second fail within its first batches. A QuarkusTest cannot show it inside the suite (PyTorch's natives load once
 * per JVM, and another test profile has them), so this starts the packaged platform with two runners.
 */
class TwoEmbeddedRunnersIT {

    @Test
    void twoRunsSubmittedTogetherBothFinish() throws Exception {
        try (PlatformProcess platform =
                PlatformProcess.start("-Dquarkus.profile=local", "-Dcanopy.runner.embedded.count=2")) {
            String admin = platform.adminToken();
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> api(platform, admin)
                                    .get("/api/v1/workers")
                                    .then()
                                    .extract()
                                    .<List<String>>path("findAll { it.state == 'ONLINE' }.name")
                                    .size()
                            == 2);
            platform.penguinsAndExperiment(admin, "side-by-side");
            List<String> runs = new ArrayList<>();
            for (int seed = 1; seed <= 2; seed++) {
                runs.add(api(platform, admin)
                        .body(Map.of(
                                "experiment",
                                "side-by-side",
                                "dataset",
                                Map.of("name", "penguins", "version", "latest"),
                                "recipe",
                                "tabular-classification",
                                "params",
                                Map.of("label", "species", "epochs", 15, "seed", seed)))
                        .post("/api/v1/teams/default/runs")
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("id"));
            }

            for (String run : runs) {
                await().atMost(Duration.ofMinutes(5)).until(() -> Set.of("FINISHED", "FAILED", "KILLED")
                        .contains(api(platform, admin)
                                .get("/api/v1/teams/default/runs/{r}", run)
                                .then()
                                .extract()
                                .<String>path("status")));
                Map<String, Object> view = api(platform, admin)
                        .get("/api/v1/teams/default/runs/{r}", run)
                        .then()
                        .extract()
                        .path("$");
                assertThat(view.get("status"))
                        .as("run %s: %s", run, view.get("error"))
                        .isEqualTo("FINISHED");
            }
        }
    }

    private static RequestSpecification api(PlatformProcess platform, String token) {
        return given().baseUri(platform.baseUrl()).auth().oauth2(token).contentType(ContentType.JSON);
    }
}
