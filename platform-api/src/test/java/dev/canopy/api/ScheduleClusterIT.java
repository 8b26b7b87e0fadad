package dev.canopy.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.http.ContentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two control planes on one PostgreSQL, as in production: a cron schedule firing every second launches exactly one
 * run per fire. Quartz (clustered, JDBC) lets one node run each fire; the test also checks that no node even
 * tried a fire another had launched. A fire whose node dies under way is run again by the other.
 */
class ScheduleClusterIT {

    @Test
    void eachFireLaunchesOneRunAcrossTwoControlPlanes() throws Exception {
        // A fire a second, to see many fires in a short test.
        String fast = "-Dcanopy.schedules.min-interval=1s";
        onTwoNodes(new String[] {fast, fast}, (nodes, token, database) -> {
            newSchedule(nodes.get(1), token, "every-second", "* * * * * ?");
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
        });
    }

    /**
     * A control plane killed while it runs a fire (after Quartz moved the trigger on, before the run committed):
     * the other one fires it again, for the same scheduled time, and it launches its one run.
     */
    @Test
    void aFireCutShortByADeadControlPlaneIsFiredAgainByTheOther() throws Exception {
        String[] names = {"-Dquarkus.quartz.instance-id=node-0", "-Dquarkus.quartz.instance-id=node-1"};
        onTwoNodes(names, (nodes, token, database) -> {
            // One fire, 8 s from now: time to hold the schedule's row before it comes.
            ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
            String once = String.format(
                    Locale.ROOT,
                    "%d %d %d %d %d ? %d",
                    at.getSecond(),
                    at.getMinute(),
                    at.getHour(),
                    at.getDayOfMonth(),
                    at.getMonthValue(),
                    at.getYear());
            newSchedule(nodes.get(0), token, "once", once);

            try (Connection db = database.getPostgresDatabase().getConnection();
                    Connection holder = database.getPostgresDatabase().getConnection()) {
                // The fire waits for the schedule's row (as for a pause or change under way) while the test holds it.
                holder.setAutoCommit(false);
                holder.createStatement().execute("SELECT id FROM schedules WHERE name = 'once' FOR UPDATE");
                String[] firing = new String[2];
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try (ResultSet row = db.createStatement()
                            .executeQuery("SELECT instance_name, sched_time FROM qrtz_fired_triggers WHERE job_group ="
                                    + " 'canopy-schedules' AND state = 'EXECUTING'")) {
                        if (!row.next()) {
                            return false;
                        }
                        firing[0] = row.getString(1);
                        firing[1] = "cron:" + Instant.ofEpochMilli(row.getLong(2));
                        return true;
                    }
                });
                assertThat(firing[1]).isEqualTo("cron:" + at.toInstant());
                nodes.get(firing[0].equals("node-0") ? 0 : 1).kill();
                holder.rollback();

                await().atMost(Duration.ofSeconds(90))
                        .until(() -> runsPerFire(db).containsKey(firing[1]));
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> runsPerFire(db).equals(Map.of(firing[1], 1L)));
            }
        });
    }

    /** A test on two control planes on one new PostgreSQL, with the admin token, the team's penguins and experiment. */
    private interface ClusterTest {
        void run(List<PlatformProcess> nodes, String token, EmbeddedPostgres database) throws Exception;
    }

    /** Runs {@code test} on two new nodes, started with {@code options} (one each), on a new database. */
    private static void onTwoNodes(String[] options, ClusterTest test) throws Exception {
        List<PlatformProcess> nodes = new ArrayList<>();
        try (EmbeddedPostgres database = EmbeddedPostgres.builder()
                .setDataDirectory(TempDirectories.create("canopy-cluster-pg"))
                .start()) {
            String url = database.getJdbcUrl("postgres", "postgres");
            Path artifacts = TempDirectories.create("canopy-cluster-artifacts");
            for (String option : options) {
                nodes.add(PlatformProcess.startNode(url, artifacts, option));
            }
            String token = PlatformProcess.adminToken(nodes);
            nodes.get(0).penguinsAndExperiment(token, "nightly");
            test.run(nodes, token, database);
        } finally {
            for (PlatformProcess node : nodes) {
                node.close();
            }
        }
    }

    /** A cron schedule training species on the latest penguins. */
    private static void newSchedule(PlatformProcess node, String token, String name, String cron) {
        given().baseUri(node.baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "name", name,
                        "cron", cron,
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
