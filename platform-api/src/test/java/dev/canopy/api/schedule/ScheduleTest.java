package dev.canopy.api.schedule;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.canopy.api.LockWaits;
import dev.canopy.scheduler.schedule.CronSchedules;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retraining schedules: cron (on clustered Quartz) and new dataset versions, each fire launching one run. */
@QuarkusTest
class ScheduleTest {

    @Inject
    DataSource dataSource;

    @Inject
    ScheduleFires fires;

    @Inject
    CronSchedules triggers;

    String team;
    String token;

    @BeforeEach
    void data() {
        team = newTeam();
        token = newMember(team, "MEMBER");
        newPenguins(token, team, "penguins");
        newExperiment(token, team, "retrain");
    }

    /**
     * Deletes the team's schedules even when a test failed half-way: a cron schedule left behind would go on firing
     * in the test database, in later runs too, and its runs would queue ahead of other tests' runs.
     */
    @AfterEach
    void deleteSchedules() {
        List<String> names = as(token)
                .get("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("name", String.class);
        names.forEach(name -> as(token)
                .delete("/api/v1/teams/{t}/schedules/{s}", team, name)
                .then()
                .statusCode(204));
    }

    static Map<String, Object> template(Map<String, Object> params) {
        return Map.of(
                "experiment",
                "retrain",
                "dataset",
                Map.of("name", "penguins"),
                "recipe",
                "tabular-classification",
                "params",
                params);
    }

    Map<String, Object> schedule(String name, String cron, String onDataset, Map<String, Object> params) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "runTemplate", template(params)));
        if (cron != null) {
            body.put("cron", cron);
        }
        if (onDataset != null) {
            body.put("onNewDatasetVersion", onDataset);
        }
        return body;
    }

    List<Map<String, Object>> runsOf(String schedule) {
        return as(token)
                .body(Map.of("filter", "tags.`canopy.schedule` = '" + schedule + "'"))
                .post("/api/v1/teams/{t}/runs/search", team)
                .then()
                .extract()
                .jsonPath()
                .getList("runs");
    }

    @Test
    void aCronScheduleLaunchesOneRunPerFireUntilPaused() throws Exception {
        String id = as(token)
                .body(schedule("every-2s", "*/2 * * * * ?", null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .body("nextFireAt", notNullValue())
                .body("paused", equalTo(false))
                .extract()
                .path("id");
        // Fire keys two days old: the next fire prunes a cron fire's (kept a day), not a dataset version's, whose
        // backstop Quartz may fire late after an outage of any length (kept a year).
        try (Connection db = dataSource.getConnection();
                PreparedStatement old = db.prepareStatement("INSERT INTO schedule_fires (schedule_id, fire_key,"
                        + " fired_at) VALUES (?, 'cron:long-ago', now() - interval '2 days'), (?, 'dataset-version:1:"
                        + UUID.randomUUID() + "', now() - interval '2 days')")) {
            old.setObject(1, UUID.fromString(id));
            old.setObject(2, UUID.fromString(id));
            old.executeUpdate();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("every-2s").size() >= 2);
        try (Connection db = dataSource.getConnection();
                PreparedStatement keys =
                        db.prepareStatement("SELECT fire_key FROM schedule_fires WHERE schedule_id = ?")) {
            keys.setObject(1, UUID.fromString(id));
            List<String> kept = new ArrayList<>();
            try (ResultSet row = keys.executeQuery()) {
                while (row.next()) {
                    kept.add(row.getString(1));
                }
            }
            assertThat(kept).hasSizeGreaterThanOrEqualTo(3).doesNotContain("cron:long-ago");
            assertThat(kept).anyMatch(key -> key.startsWith("dataset-version:1:"));
        }

        as(token)
                .post("/api/v1/teams/{t}/schedules/every-2s/pause", team)
                .then()
                .body("paused", equalTo(true))
                .body("nextFireAt", nullValue());
        // A fire already under way when the pause lands still adds its run: count once the count holds for 1 s.
        int[] counted = {-1};
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    int now = runsOf("every-2s").size();
                    boolean held = now == counted[0];
                    counted[0] = now;
                    return held;
                });
        int fired = counted[0];
        await().during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(7))
                .until(() -> runsOf("every-2s").size() == fired);

        List<Map<String, Object>> runs = runsOf("every-2s");
        assertThat(runs).allSatisfy(run -> {
            assertThat(run).containsEntry("status", "QUEUED").containsEntry("recipe", "tabular-classification");
            assertThat((Map<String, Object>) run.get("dataset")).containsEntry("version", 1);
        });
        // Every fire key (the scheduled time) launched one run, not two.
        List<String> fires = runs.stream()
                .map(r -> String.valueOf(((Map<?, ?>) r.get("tags")).get("canopy.fire")))
                .toList();
        assertThat(fires).doesNotHaveDuplicates();
        JsonPath shown = as(token)
                .get("/api/v1/teams/{t}/schedules/every-2s", team)
                .then()
                .extract()
                .jsonPath();
        assertThat(shown.getString("lastFiredAt")).isNotNull();

        // Resumed, it goes on from its next time to come: the fires it missed while paused are not made up.
        Instant resumed = Instant.now();
        String next = as(token)
                .post("/api/v1/teams/{t}/schedules/every-2s/resume", team)
                .then()
                .body("nextFireAt", notNullValue())
                .extract()
                .path("nextFireAt");
        // Its first time after now: not the tick just gone (Quartz's own start looks a second back), nor one of the
        // fires missed seconds ago.
        assertThat(Instant.parse(next)).isAfter(resumed);
        as(token).delete("/api/v1/teams/{t}/schedules/every-2s", team).then().statusCode(204);
        as(token).get("/api/v1/teams/{t}/schedules/every-2s", team).then().statusCode(404);
    }

    @Test
    void aNewDatasetVersionLaunchesARunOnIt() {
        as(token)
                .body(schedule("on-data", null, "penguins", Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .body("onNewDatasetVersion", equalTo("penguins"))
                .body("nextFireAt", nullValue());
        assertThat(runsOf("on-data")).isEmpty();
        StringBuilder more = thirtyPenguins();
        csv(token, more.toString())
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> runsOf("on-data").size() == 1);
        assertThat((Map<String, Object>) runsOf("on-data").get(0).get("dataset"))
                .containsEntry("version", 2);
        assertThat((String) ((Map<String, Object>) runsOf("on-data").get(0).get("tags")).get("canopy.fire"))
                .startsWith("dataset-version:2:");
        // A template takes GPUs as a run request does (resources.gpus), and refuses two answers to one question.
        Map<String, Object> onGpu = new HashMap<>(template(Map.of("label", "species")));
        onGpu.put("resources", Map.of("gpus", 1));
        as(token)
                .body(Map.of("name", "on-data-gpu", "onNewDatasetVersion", "penguins", "runTemplate", onGpu))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        onGpu.put("gpus", 2);
        as(token)
                .body(Map.of("name", "two-answers", "onNewDatasetVersion", "penguins", "runTemplate", onGpu))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.gpus"));
        csv(token, more.append("Adelie,Dream,39.0,18.2,188,3650,FEMALE\n").toString())
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> runsOf("on-data-gpu").size() == 1);
        assertThat(runsOf("on-data-gpu").get(0)).containsEntry("gpus", 1);
        // This test's runners have no GPU: the run waits, and says why.
        assertThat((List<String>) runsOf("on-data-gpu").get(0).get("warnings"))
                .anyMatch(w -> w.startsWith("no runner online for this team has 1 GPU(s)"));
    }

    /**
     * The upload's transaction also stores the fire as a Quartz trigger a while later (2 s in tests): it launches
     * nothing once the fire right after the upload did, and launches the run when that fire never came (its control
     * plane stopped between the commit and the fire), on the version that arrived.
     */
    @Test
    void aNewVersionsFireIsStoredWithTheUploadAndLaunchesOnceWhicheverWayItComes() throws Exception {
        UUID id = onPenguins("backstopped");
        StringBuilder more = thirtyPenguins();
        csv(token, more.toString())
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> runsOf("backstopped").size() == 1);
        // Quartz runs the stored fire (within its poll of up to 30 s here), which finds the run launched.
        await().atMost(Duration.ofSeconds(60)).until(() -> backstopsOf(id) == 0);
        assertThat(runsOf("backstopped")).hasSize(1);

        // A schedule made after version 2 arrived, whose fire for it is the stored one only.
        UUID late = onPenguins("late");
        UUID teamId = LockWaits.id(dataSource, "SELECT id FROM teams WHERE name = ?", team);
        UUID datasetId = LockWaits.id(
                dataSource,
                "SELECT id FROM datasets WHERE name = 'penguins' AND team_id = (SELECT id FROM teams"
                        + " WHERE name = ?)",
                team);
        UUID version2 = LockWaits.id(
                dataSource,
                "SELECT v.id FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id JOIN teams t"
                        + " ON t.id = d.team_id WHERE t.name = ? AND d.name = 'penguins' AND v.version = 2",
                team);
        fires.fireForVersion(late, teamId, datasetId, version2, 2);
        fires.fireForVersion(late, teamId, datasetId, version2, 2);
        assertThat(runsOf("late")).hasSize(1);
        assertThat((Map<String, Object>) runsOf("late").get(0).get("dataset")).containsEntry("version", 2);
    }

    /** A header and 30 rows of penguins, for a new version of the team's dataset. */
    private static StringBuilder thirtyPenguins() {
        StringBuilder rows =
                new StringBuilder("species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n");
        for (int i = 0; i < 30; i++) {
            rows.append(
                    i % 2 == 0
                            ? "Adelie,Dream,38.1,18.0,190,3700,MALE\n"
                            : "Gentoo,Biscoe,47.2,14.9,215,5200,FEMALE\n");
        }
        return rows;
    }

    private int backstopsOf(UUID schedule) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement(
                        "SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'canopy-data-fires' AND trigger_name"
                                + " LIKE ?")) {
            count.setString(1, schedule + ":%");
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    @Test
    void aScheduleWhoseCreatorLeftTheTeamLaunchesNothingAndSaysWhy() {
        String maker = newMember(team, "MEMBER");
        as(maker)
                .body(schedule("orphan", null, "penguins", Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        String user = as(maker).get("/api/v1/me").then().extract().path("user");
        as(adminToken())
                .delete("/api/v1/teams/{t}/members/{u}", team, user)
                .then()
                .statusCode(204);

        assertThat(lastErrorOnNewVersion("orphan"))
                .isEqualTo("it acts for '" + user + "', who made, last changed or resumed it and is no longer a"
                        + " member or admin of team '" + team + "'; a member takes it over by changing or"
                        + " resuming it");
        assertThat(runsOf("orphan")).isEmpty();
    }

    /**
     * A fire that fails does not write its error over a fire that launched after it began (two uploads close
     * together, the first failing late): the schedule's last word is the later fire's.
     */
    @Test
    void aFailedFireDoesNotOverwriteALaterFiresLaunch() throws Exception {
        String maker = newMember(team, "MEMBER");
        UUID id = UUID.fromString(as(maker)
                .body(schedule("overtaken", "0 0 3 * * ?", null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
        String user = as(maker).get("/api/v1/me").then().extract().path("user");
        as(adminToken())
                .delete("/api/v1/teams/{t}/members/{u}", team, user)
                .then()
                .statusCode(204);
        String lastFired = "UPDATE schedules SET last_fired_at = now() + ?::interval WHERE id = ?";
        try (Connection db = dataSource.getConnection();
                PreparedStatement later = db.prepareStatement(lastFired)) {
            // A fire that launched while this one was under way (its commit came first).
            later.setString(1, "1 minute");
            later.setObject(2, id);
            later.executeUpdate();
            fires.fire(id, "cron:overtaken-1");
            assertThat(lastErrorOf("overtaken")).isNull();

            // Without one, the failure is the schedule's last word.
            later.setString(1, "-1 minute");
            later.executeUpdate();
            fires.fire(id, "cron:overtaken-2");
            assertThat(lastErrorOf("overtaken")).startsWith("it acts for '" + user + "'");
        }
    }

    /**
     * A one-time cron whose time passes between its check and its trigger (due within the second) is refused as the
     * check would refuse it, not by Quartz, whose refusal read as a server failure (500).
     */
    @Test
    void aTriggerWithNoTimeLeftIsRefusedBeforeQuartzSeesIt() {
        assertThatThrownBy(() -> triggers.put(UUID.randomUUID(), "0 0 0 1 1 ? 2020", ZoneOffset.UTC))
                .isInstanceOf(CronSchedules.NeverFires.class)
                .hasMessage("it never fires after now");
    }

    private String lastErrorOf(String schedule) {
        return as(token)
                .get("/api/v1/teams/{t}/schedules/{s}", team, schedule)
                .then()
                .extract()
                .path("lastError");
    }

    /** A member who changed a schedule is who it acts for: once they leave, it launches nothing in their name. */
    @Test
    void aScheduleActsForWhoeverChangedItLast() {
        String maker = newMember(team, "MEMBER");
        String editor = newMember(team, "MEMBER");
        String makerName = as(maker).get("/api/v1/me").then().extract().path("user");
        String user = as(editor).get("/api/v1/me").then().extract().path("user");
        as(maker)
                .body(schedule("handed", null, "penguins", Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .body("actsFor", equalTo(makerName));
        as(editor)
                .body(Map.of("timeZone", "Europe/Paris"))
                .patch("/api/v1/teams/{t}/schedules/{s}", team, "handed")
                .then()
                .statusCode(200)
                .body("actsFor", equalTo(user));
        as(maker)
                .get("/api/v1/teams/{t}/schedules/{s}", team, "handed")
                .then()
                .statusCode(200)
                .body("actsFor", equalTo(user));
        as(adminToken())
                .delete("/api/v1/teams/{t}/members/{u}", team, user)
                .then()
                .statusCode(204);

        assertThat(lastErrorOnNewVersion("handed"))
                .startsWith("it acts for '" + user + "', who made, last changed or resumed it");
        assertThat(runsOf("handed")).isEmpty();
    }

    /**
     * V24 writes the direction the old rule gave into gates schedules stored without one: checked again now, a name the
     * words rule cannot tell (valLoss) would be refused at every promotion.
     */
    @Test
    void gatesStoredWithoutADirectionKeepTheOneTheOldRuleGave() throws Exception {
        String stored = "[{\"type\": \"beats-live\", \"metric\": \"valLoss\", \"margin\": 0},"
                + " {\"type\": \"held-out\", \"metric\": \"test_accuracy\", \"margin\": 0, \"dataset\": \"d\","
                + " \"datasetVersion\": \"1\", \"higherIsBetter\": null},"
                + " {\"type\": \"beats-live\", \"metric\": \"test_mape\", \"higherIsBetter\": false},"
                + " {\"type\": \"threshold\", \"metric\": \"a\", \"op\": \">=\", \"value\": 1}]";
        as(token)
                .body(schedule("old-gates", "0 0 3 * * ?", null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        String migration;
        try (var in = getClass().getResourceAsStream("/db/migration/V24__gate_directions.sql")) {
            migration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection db = dataSource.getConnection();
                PreparedStatement old =
                        db.prepareStatement("UPDATE schedules SET promote_gates = ?::jsonb WHERE name = 'old-gates'")) {
            old.setString(1, stored);
            old.executeUpdate();
            db.createStatement().execute(migration);
        }

        as(token)
                .get("/api/v1/teams/{t}/schedules/old-gates", team)
                .then()
                .body("promoteGates.higherIsBetter", equalTo(Arrays.asList(false, true, false, null)))
                .body("promoteGates.metric", equalTo(List.of("valLoss", "test_accuracy", "test_mape", "a")));
    }

    /** Uploads a new version of the team's penguins and waits for the schedule to say why it launched nothing. */
    private String lastErrorOnNewVersion(String schedule) {
        csv(
                        token,
                        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n"
                                + "Adelie,Dream,38.1,18.0,190,3700,MALE\n".repeat(20)
                                + "Gentoo,Biscoe,47.2,14.9,215,5200,FEMALE\n".repeat(20))
                .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                .then()
                .statusCode(201);
        return await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> as(token)
                                .get("/api/v1/teams/{t}/schedules/{s}", team, schedule)
                                .then()
                                .extract()
                                .<String>path("lastError"),
                        Objects::nonNull);
    }

    @Test
    void refusesSchedulesThatCannotFire() {
        as(token)
                .body(schedule("bad", "every day at two", null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("cron"))
                .body("details[0].problem", containsString("invalid cron expression"));
        // Valid syntax, but no such day or no such year to come: it would never fire.
        for (String never : List.of("0 0 0 30 2 ?", "0 0 0 1 1 ? 2020")) {
            as(token)
                    .body(schedule("never", never, null, Map.of("label", "species")))
                    .post("/api/v1/teams/{t}/schedules", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("cron"))
                    .body("details[0].problem", containsString("never fires"));
        }
        as(token)
                .body(schedule("far", "0 0 0 1 1 ? 2200", null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body(
                        "details[0].problem",
                        containsString(
                                "a year after " + (Year.now(ZoneOffset.UTC).getValue() + 100)));
        // Faster than canopy.schedules.min-interval (2 s in the test profile, a minute by default), in the
        // second-by-second part of a cron or only once a year.
        for (String tooFast : List.of("* * * * * ?", "0,1 0 3 1 1 ?")) {
            as(token)
                    .body(schedule("too-fast", tooFast, null, Map.of("label", "species")))
                    .post("/api/v1/teams/{t}/schedules", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("cron"))
                    .body("details[0].problem", containsString("fires 1 second apart"))
                    .body("details[0].problem", containsString("at most once every 2 seconds"));
        }
        as(token)
                .body(schedule("both", "0 0 2 * * ?", "penguins", Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400);
        as(token)
                .body(schedule("bad-params", "0 0 2 * * ?", null, Map.of("label", "nope")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.params.label"));
        Map<String, Object> badName = new HashMap<>(template(Map.of("label", "species")));
        badName.put("registerAs", "../x");
        as(token)
                .body(Map.of("name", "bad-name", "cron", "0 0 2 * * ?", "runTemplate", badName))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.registerAs"));
        as(token).get("/api/v1/teams/{t}/schedules", team).then().body("size()", equalTo(0));
    }

    @Test
    void aScheduleCanBeChangedInPlaceAndBadChangesChangeNothing() {
        as(token)
                .body(schedule("nightly", "0 0 2 * * ?", null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        as(token)
                .body(Map.of("cron", "0 30 3 * * ?", "timeZone", "Europe/Paris"))
                .patch("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .statusCode(200)
                .body("cron", equalTo("0 30 3 * * ?"))
                .body("timeZone", equalTo("Europe/Paris"))
                .body("nextFireAt", containsString(":30:00"));

        as(token)
                .body(Map.of("cron", "0 0 4 * * ?", "promoteTo", "penguins-live"))
                .patch("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("promoteTo"))
                .body("details[0].problem", containsString("no endpoint 'penguins-live'"));

        as(token)
                .body(Map.of("cron", "every night"))
                .patch("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("cron"));
        as(token)
                .body(Map.of("cron", "* * 3 * * ?"))
                .patch("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("cron"))
                .body("details[0].problem", containsString("fires 1 second apart"));
        as(token)
                .body(Map.of("runTemplate", template(Map.of("label", "no_such_column"))))
                .patch("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.params.label"));
        as(token)
                .get("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .body("cron", equalTo("0 30 3 * * ?"))
                .body("runTemplate.params.label", equalTo("species"));

        // From cron to "on every new version": the Quartz trigger goes away.
        as(token)
                .body(Map.of("onNewDatasetVersion", "penguins", "promoteTo", ""))
                .patch("/api/v1/teams/{t}/schedules/nightly", team)
                .then()
                .statusCode(200)
                .body("cron", nullValue())
                .body("onNewDatasetVersion", equalTo("penguins"))
                .body("promoteTo", nullValue())
                .body("nextFireAt", nullValue());
        as(token)
                .body(Map.of("cron", "0 0 1 * * ?"))
                .patch("/api/v1/teams/{t}/schedules/missing", team)
                .then()
                .statusCode(404);
    }

    @Test
    void eachNewVersionIsTrainedByTheRunItFired() throws Exception {
        as(token)
                .body(schedule("each-version", null, "penguins", Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        // Uploads close together: each fire trains the version that fired it, not the latest one by then.
        List<Thread> uploads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String rows = "Adelie,Dream,38.1,18.0,190,3700,MALE\n".repeat(15 + i)
                    + "Gentoo,Biscoe,47.2,14.9,215,5200,FEMALE\n".repeat(15);
            Thread upload = new Thread(() -> csv(
                            token,
                            "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n" + rows)
                    .post("/api/v1/teams/{t}/datasets/penguins/versions", team)
                    .then()
                    .statusCode(201));
            uploads.add(upload);
            upload.start();
        }
        for (Thread upload : uploads) {
            upload.join();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> runsOf("each-version").size() == 4);
        assertThat(runsOf("each-version").stream()
                        .map(run -> (Integer) ((Map<?, ?>) run.get("dataset")).get("version"))
                        .toList())
                .containsExactlyInAnyOrder(2, 3, 4, 5);
    }

    @Test
    void anOffsetWrittenWithAPrefixIsThatOffsetAndOneTheSchedulerCannotUseIsRefused() throws Exception {
        // 02:00 at +05:30 is 20:30 UTC; read as GMT (what JDK 17's TimeZone makes of "UTC+05:30") it was 02:00 UTC.
        Map<String, Object> india = new HashMap<>(schedule("india", "0 0 2 * * ?", null, Map.of("label", "species")));
        india.put("timeZone", "UTC+05:30");
        as(token)
                .body(india)
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .body("timeZone", equalTo("UTC+05:30"))
                .body("nextFireAt", endsWith("T20:30:00Z"));
        Map<String, Object> seconds =
                new HashMap<>(schedule("seconds", "0 0 2 * * ?", null, Map.of("label", "species")));
        seconds.put("timeZone", "+01:00:30");
        as(token)
                .body(seconds)
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("timeZone"))
                .body("details[0].problem", containsString("cannot use time zone '+01:00:30'"));
        // One stored before such zones were refused still shows (its trigger runs as TimeZone read it then).
        try (Connection connection = dataSource.getConnection();
                PreparedStatement legacy = connection.prepareStatement(
                        "UPDATE schedules SET time_zone = '+01:00:30' WHERE name = 'india' AND team_id = (SELECT id"
                                + " FROM teams WHERE name = ?)")) {
            legacy.setString(1, team);
            assertThat(legacy.executeUpdate()).isEqualTo(1);
        }
        as(token)
                .get("/api/v1/teams/{t}/schedules/india", team)
                .then()
                .statusCode(200)
                .body("timeZone", equalTo("+01:00:30"))
                .body("finished", equalTo(false));
        // Its trigger is made again only in a zone the scheduler can keep.
        as(token)
                .body(Map.of("cron", "0 0 3 * * ?"))
                .patch("/api/v1/teams/{t}/schedules/india", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("timeZone"));
        as(token)
                .body(Map.of("cron", "0 0 3 * * ?", "timeZone", "+01:00"))
                .patch("/api/v1/teams/{t}/schedules/india", team)
                .then()
                .statusCode(200)
                .body("nextFireAt", endsWith("T02:00:00Z"));
    }

    @Test
    void aCronIsReadInTheSchedulesTimeZoneAndAOneTimeScheduleFinishes() {
        // A local time two hours ahead in UTC is twelve hours past in UTC+14 (Etc/GMT-14).
        LocalDateTime local = LocalDateTime.now(ZoneOffset.UTC).plusHours(2);
        String once = String.format(
                "0 %d %d %d %d ? %d",
                local.getMinute(), local.getHour(), local.getDayOfMonth(), local.getMonthValue(), local.getYear());
        Map<String, Object> kiribati = new HashMap<>(schedule("kiribati", once, null, Map.of("label", "species")));
        kiribati.put("timeZone", "Etc/GMT-14");
        as(token)
                .body(kiribati)
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("cron"))
                .body("details[0].problem", containsString("never fires"));
        as(token)
                .body(schedule("utc", once, null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .body("finished", equalTo(false));
        as(token)
                .body(Map.of("timeZone", "Etc/GMT-14"))
                .patch("/api/v1/teams/{t}/schedules/utc", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("timeZone"))
                .body("details[0].problem", containsString("never fires"));
        as(token).get("/api/v1/teams/{t}/schedules/utc", team).then().body("timeZone", equalTo("UTC"));

        // A one-time cron whose time passes while it is paused: it has finished, and resuming it says so.
        LocalDateTime soon = LocalDateTime.now(ZoneOffset.UTC).plusSeconds(3);
        String inThreeSeconds = String.format(
                "%d %d %d %d %d ? %d",
                soon.getSecond(),
                soon.getMinute(),
                soon.getHour(),
                soon.getDayOfMonth(),
                soon.getMonthValue(),
                soon.getYear());
        as(token)
                .body(schedule("once", inThreeSeconds, null, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        as(token).post("/api/v1/teams/{t}/schedules/once/pause", team).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> as(token)
                .get("/api/v1/teams/{t}/schedules/once", team)
                .then()
                .extract()
                .<Boolean>path("finished"));
        as(token)
                .post("/api/v1/teams/{t}/schedules/once/resume", team)
                .then()
                .statusCode(409)
                .body("message", containsString("never fires again"));
        as(token).post("/api/v1/teams/{t}/schedules/once/pause", team).then().statusCode(200);
        as(token)
                .body(Map.of("cron", "0 0 3 * * ?"))
                .patch("/api/v1/teams/{t}/schedules/once", team)
                .then()
                .statusCode(200)
                .body("finished", equalTo(false));
        as(token)
                .post("/api/v1/teams/{t}/schedules/once/resume", team)
                .then()
                .statusCode(200)
                .body("nextFireAt", notNullValue());
        assertThat(runsOf("once")).isEmpty();
    }

    @Test
    void refusesWhatWouldOnlyFailWhenItFires() {
        Map<String, Object> longTag = new HashMap<>(template(Map.of("label", "species")));
        longTag.put("tags", Map.of("note", "x".repeat(8001)));
        as(token)
                .body(Map.of("name", "long-tag", "cron", "0 0 2 * * ?", "runTemplate", longTag))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.tags.note"));
        longTag.put("tags", Map.of("k".repeat(300), "v"));
        as(token)
                .body(Map.of("name", "long-key", "cron", "0 0 2 * * ?", "runTemplate", longTag))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.tags"));
        // The platform's own tags are its own: a template's (or a run's) would make a run look scheduled.
        longTag.put("tags", Map.of("canopy.schedule", "forged"));
        as(token)
                .body(Map.of("name", "forged", "cron", "0 0 2 * * ?", "runTemplate", longTag))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.tags.canopy.schedule"));
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 999; i++) {
            many.put("t" + i, "v");
        }
        longTag.put("tags", many);
        as(token)
                .body(Map.of("name", "many-tags", "cron", "0 0 2 * * ?", "runTemplate", longTag))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.tags"));
        Map<String, Object> forgedRun = new HashMap<>(template(Map.of("label", "species")));
        forgedRun.put("dataset", Map.of("name", "penguins", "version", "1"));
        forgedRun.put("tags", Map.of(" canopy.fire", "forged"));
        as(token)
                .body(forgedRun)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("tags. canopy.fire"));
        longTag.put("tags", Map.of("k".repeat(300), "v"));
        // A run request too: the key was a 500 (the column's limit) before.
        Map<String, Object> run = new HashMap<>(longTag);
        run.put("dataset", Map.of("name", "penguins", "version", "1"));
        as(token)
                .body(run)
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("tags"));

        Map<String, Object> gated = new HashMap<>(schedule("gated", "0 0 2 * * ?", null, Map.of("label", "species")));
        gated.put("promoteGates", List.of(Map.of("expression", "metrics.test_accuracy >= 0.9")));
        as(token)
                .body(gated)
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("promoteGates"));

        Map<String, Object> pinned = new HashMap<>(template(Map.of("label", "species")));
        pinned.put("dataset", Map.of("name", "penguins", "version", "1"));
        as(token)
                .body(Map.of("name", "pinned", "onNewDatasetVersion", "penguins", "runTemplate", pinned))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.dataset.version"));
        Map<String, Object> notAVersion = new HashMap<>(template(Map.of("label", "species")));
        notAVersion.put("dataset", Map.of("name", "penguins", "version", "first"));
        as(token)
                .body(Map.of("name", "not-a-version", "cron", "0 0 2 * * ?", "runTemplate", notAVersion))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.dataset.version"));
        // On a cron, a fixed version is a choice.
        as(token)
                .body(Map.of("name", "pinned", "cron", "0 0 2 * * ?", "runTemplate", pinned))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
    }

    @Test
    void aScheduleCanWaitForTheFirstVersionOfADataset() {
        newDataset(token, team, "arriving");
        Map<String, Object> onArriving = new HashMap<>(template(Map.of("label", "species")));
        onArriving.put("dataset", Map.of("name", "arriving"));
        as(token)
                .body(Map.of("name", "first-version", "onNewDatasetVersion", "arriving", "runTemplate", onArriving))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201);
        // What does not need the data is still checked now.
        Map<String, Object> unknownRecipe = new HashMap<>(onArriving);
        unknownRecipe.put("recipe", "no-such-recipe");
        as(token)
                .body(Map.of("name", "bad-recipe", "onNewDatasetVersion", "arriving", "runTemplate", unknownRecipe))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.recipe"));
        // A template pinned to a version of the dataset it waits for is told what is wrong, not "version 1 not found".
        Map<String, Object> pinned = new HashMap<>(onArriving);
        pinned.put("dataset", Map.of("name", "arriving", "version", "1"));
        as(token)
                .body(Map.of("name", "pinned-early", "onNewDatasetVersion", "arriving", "runTemplate", pinned))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("runTemplate.dataset.version"));
        // A cron schedule has no version to wait for: it needs data now.
        as(token)
                .body(Map.of("name", "cron-early", "cron", "0 0 2 * * ?", "runTemplate", onArriving))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(404);

        csv(
                        token,
                        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n"
                                + "Adelie,Dream,38.1,18.0,190,3700,MALE\n".repeat(20)
                                + "Gentoo,Biscoe,47.2,14.9,215,5200,FEMALE\n".repeat(20))
                .post("/api/v1/teams/{t}/datasets/arriving/versions", team)
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> runsOf("first-version").size() == 1);
        assertThat((Map<String, Object>) runsOf("first-version").get(0).get("dataset"))
                .containsEntry("dataset", "arriving")
                .containsEntry("version", 1);
    }

    /**
     * A pause that commits while a fire is under way: the fire (holding nothing yet) waits for it and launches
     * nothing; before, it launched a run and wrote the whole schedule back, paused=false included.
     */
    @Test
    void aFireThatMeetsAPauseLaunchesNothingAndTheScheduleStaysPaused() throws Exception {
        UUID id = created("paused-meanwhile", "0 0 3 1 1 ?", null);

        LockWaits.callWhileHeld(
                dataSource,
                c -> LockWaits.execute(c, "SELECT 1 FROM schedules WHERE id = ? FOR UPDATE", id),
                "%schedule%",
                () -> {
                    fires.fire(id, "test:paused-meanwhile");
                    return null;
                },
                c -> LockWaits.execute(c, "UPDATE schedules SET paused = true WHERE id = ?", id));

        as(token)
                .get("/api/v1/teams/{t}/schedules/paused-meanwhile", team)
                .then()
                .statusCode(200)
                .body("paused", equalTo(true))
                .body("lastRunId", nullValue());
        assertThat(runsOf("paused-meanwhile")).isEmpty();
    }

    /**
     * A cron fire that was on its way when the schedule became a data schedule (a PATCH committed between Quartz
     * taking the trigger and the fire locking the schedule) launches nothing.
     */
    @Test
    void aFireOfATriggerTheScheduleNoLongerHasLaunchesNothing() {
        UUID id = onPenguins("was-a-cron");

        fires.fire(id, "cron:2026-11-28T03:00:00Z");

        as(token)
                .get("/api/v1/teams/{t}/schedules/was-a-cron", team)
                .then()
                .statusCode(200)
                .body("lastRunId", nullValue())
                .body("lastFiredAt", nullValue());
        assertThat(runsOf("was-a-cron")).isEmpty();
    }

    /** Two deletes of one schedule at once: the second finds nothing to delete (404, not a 500). */
    @Test
    void aScheduleDeletedWhileAnotherRequestDeletesItIsNotFound() throws Exception {
        UUID id = onPenguins("deleted-twice");

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> LockWaits.execute(c, "SELECT 1 FROM schedules WHERE id = ? FOR UPDATE", id),
                "%schedules%",
                () -> as(token)
                        .delete("/api/v1/teams/{t}/schedules/deleted-twice", team)
                        .statusCode(),
                c -> LockWaits.execute(c, "DELETE FROM schedules WHERE id = ?", id));

        assertThat(status).isEqualTo(404);
    }

    /** A new schedule on new versions of penguins; its id. */
    private UUID onPenguins(String name) {
        return created(name, null, "penguins");
    }

    private UUID created(String name, String cron, String onDataset) {
        return UUID.fromString(as(token)
                .body(schedule(name, cron, onDataset, Map.of("label", "species")))
                .post("/api/v1/teams/{t}/schedules", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id"));
    }
}
