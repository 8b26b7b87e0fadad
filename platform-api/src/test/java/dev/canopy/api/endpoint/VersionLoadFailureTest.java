package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.config.CanopyConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A served version this control plane cannot load (its artifact unreadable here) is the server's failure: 500 with
 * the version named, counted as the version's error, so that clients and load balancers try elsewhere.
 */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class VersionLoadFailureTest {

    @Inject
    LoadedVersions versions;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CanopyConfig config;

    @Test
    void aVersionWhoseArtifactCannotBeReadHereAnswers500() throws Exception {
        TrainedModels trained = TrainedModels.get();
        String endpoint = trained.newEndpoint("unreadable");
        trained.promote(endpoint, Map.of("version", "1"));
        Path artifact = config.artifactsPath().resolve(liveArtifactKey(endpoint));
        Path aside = artifact.resolveSibling(artifact.getFileName() + ".aside");
        // As a control plane finds it that did not make the promotion, or has just started.
        versions.unloadAll();
        Files.move(artifact, aside);
        Response failed;
        try {
            failed = predict(trained, endpoint);
        } finally {
            Files.move(aside, artifact);
        }

        assertThat(failed.statusCode()).as(failed.asString()).isEqualTo(500);
        assertThat(failed.jsonPath().getString("code")).isEqualTo("INTERNAL");
        assertThat(failed.jsonPath().getString("message"))
                .contains(TrainedModels.MODEL + ":1")
                .contains("could not be read");
        // Not read again at each request: the next ones within a few seconds get the same answer without a load.
        Response soon = predict(trained, endpoint);
        assertThat(soon.statusCode()).isEqualTo(500);
        assertThat(soon.jsonPath().getString("message"))
                .contains("could not be read")
                .endsWith("; it is tried again " + LoadedVersions.LOAD_RETRY_SECONDS + " s after it failed");
        assertThat(versions.isLoaded(versionId(endpoint))).isFalse();
        // Errors of the version, but their waits were the failed load's, not latencies of the version's answers.
        as(trained.token)
                .get("/api/v1/teams/{t}/endpoints/{e}", trained.team, endpoint)
                .then()
                .statusCode(200)
                .body("serving.find { it.version == 1 }.errors", equalTo(2))
                .body("serving.find { it.version == 1 }.latencyMs.p99", equalTo(0f));
        await().atMost(Duration.ofSeconds(4 * LoadedVersions.LOAD_RETRY_SECONDS))
                .until(() -> predict(trained, endpoint).statusCode() == 200);
        as(trained.token)
                .get("/api/v1/teams/{t}/endpoints/{e}", trained.team, endpoint)
                .then()
                .statusCode(200)
                .body("serving.find { it.version == 1 }.errors", greaterThanOrEqualTo(2));
    }

    private static Response predict(TrainedModels trained, String endpoint) {
        return as(trained.token)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", trained.team, endpoint);
    }

    private UUID versionId(String endpoint) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query =
                        connection.prepareStatement("SELECT live_version_id FROM endpoints WHERE name = ?")) {
            query.setString(1, endpoint);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getObject(1, UUID.class);
            }
        }
    }

    private String liveArtifactKey(String endpoint) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT v.artifact_key FROM endpoints e"
                        + " JOIN model_versions v ON v.id = e.live_version_id WHERE e.name = ?")) {
            query.setString(1, endpoint);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        }
    }
}
