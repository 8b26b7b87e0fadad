package dev.canopy.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two control planes on one PostgreSQL, as in production: a cron schedule firing every second launches exactly one
 * run per fire. Quartz (clustered, JDBC) lets one node run each fire; the test also checks that no node even
 * tried a fire another had launched.
 */
class ScheduleClusterIT {

    @Test
    void eachFireLaunchesOneRunAcrossTwoControlPlanes() throws Exception {
        List<PlatformProcess> nodes = new ArrayList<>();
        try (EmbeddedPostgres database = EmbeddedPostgres.builder()
                .setDataDirectory(TempDirectories.create("canopy-cluster-pg"))
                .start()) {
            String url = database.getJdbcUrl("postgres", "postgres");
            Path artifacts = TempDirectories.create("canopy-cluster-artifacts");
            // A fire a second, to see many fires in a short test.
            nodes.add(PlatformProcess.startNode(url, artifacts, "-Dcanopy.schedules.min-interval=1s"));
            nodes.add(PlatformProcess.startNode(url, artifacts, "-Dcanopy.schedules.min-interval=1s"));
            String token = PlatformProcess.adminToken(nodes);
            var api =
                    given().baseUri(nodes.get(0).baseUrl()).auth().oauth2(token).contentType(ContentType.JSON);
            api.body(Map.of("name", "penguins"))
                    .post("/api/v1/teams/default/datasets")
                    .then()
                    .statusCode(201);
            given().baseUri(nodes.get(0).baseUrl())
                    .auth()
                    .oauth2(token)
                    .contentType("text/csv")
                    .body(Files.readAllBytes(Path.of("src/test/resources/datasets/penguins.csv")))
                    .post("/api/v1/teams/default/datasets/penguins/versions")
                    .then()
                    .statusCode(201);
            given().baseUri(nodes.get(0).baseUrl())
                    .auth()
                    .oauth2(token)
                    .contentType(ContentType.JSON)
                    .body(Map.of("name", "nightly"))
                    .post("/api/v1/teams/default/experiments")
                    .then()
                    .statusCode(201);
            given().baseUri(nodes.get(1).baseUrl())
                    .auth()
                    .oauth2(token)
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "name", "every-second",
                            "cron", "* * * * * ?",
                            "runTemplate",
                                    Map.of(
                                            "experiment",
                                            "nightly",
                                            "dataset",
                                            Map.of("name", "penguins"),
                                            "recipe",
                                            "tabular-classification",
                                            "params",
                                            Map.of("label", "species"))))
                    .post("/api/v1/teams/default/schedules")
                    .then()
                    .statusCode(201);

            try (Connection db = database.getPostgresDatabase().getConnection()) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> count(db, "SELECT count(*) FROM runs WHERE schedule_id IS NOT NULL") >= 8);
                given().baseUri(nodes.get(0).baseUrl())
                        .auth()
                        .oauth2(token)
                        .post("/api/v1/teams/default/schedules/every-second/pause")
                        .then()
                        .statusCode(200);
                assertThat(count(db, "SELECT count(*) FROM qrtz_scheduler_state"))
                        .isEqualTo(2);
                Map<String, Long> runsPerFire = runsPerFire(db);
                assertThat(runsPerFire).isNotEmpty();
                assertThat(runsPerFire.values()).allMatch(n -> n == 1);
            }
            String logs = nodes.get(0).output() + nodes.get(1).output();
            assertThat(logs).doesNotContain("was launched already");
        } finally {
            for (PlatformProcess node : nodes) {
                node.close();
            }
        }
    }

    private static Map<String, Long> runsPerFire(Connection db) throws Exception {
        try (ResultSet rows =
                db.createStatement().executeQuery("SELECT value FROM run_tags WHERE key = 'canopy.fire'")) {
            List<String> fires = new ArrayList<>();
            while (rows.next()) {
                fires.add(rows.getString(1));
            }
            return fires.stream().collect(Collectors.groupingBy(f -> f, Collectors.counting()));
        }
    }

    private static long count(Connection db, String sql) throws Exception {
        try (ResultSet row = db.createStatement().executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
