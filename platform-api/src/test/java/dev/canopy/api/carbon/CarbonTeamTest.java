package dev.canopy.api.carbon;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.unique;
import static dev.canopy.api.worker.FakeRunner.energy;
import static dev.canopy.api.worker.FakeRunner.part;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.canopy.api.LockWaits;
import dev.canopy.api.worker.FakeRunner;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A team's side of carbon accounting: uploaded intensity traces, budgets, forecasts, summaries and exports, idle
 * energy of workers, and isolation between teams.
 */
@QuarkusTest
class CarbonTeamTest extends CarbonTeamFixture {

    @Inject
    AgroalDataSource dataSource;

    /** Submits a run, has a runner in {@code zone} claim it and complete it with {@code kwh} of CPU energy. */
    String trained(String zone, double kwh) {
        String id = submit("exp", 10);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("runner"), 0, Map.of("zone", zone));
        assertThat(runner.claim(0, 0)).containsEntry("runId", id);
        runner.complete(id, 1, energy(60, part("CPU", null, "model", kwh * KWH)))
                .then()
                .statusCode(204);
        return id;
    }

    @Test
    void anUploadedTraceChargesEachStretchOfARunTheIntensityOfTheHourItFellIn() throws Exception {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        StringBuilder trace = new StringBuilder("timestamp,g_co2e_per_kwh\n");
        for (int h = -6; h <= 6; h++) {
            trace.append(hour.plus(Duration.ofHours(h)))
                    .append(',')
                    .append(200 + 10 * h)
                    .append('\n');
        }
        csv(owner, trace.toString())
                .put("/api/v1/teams/{t}/carbon/traces/{z}?source=grid operator", team, "DE")
                .then()
                .statusCode(201)
                .body("zone", equalTo("DEU"))
                .body("points", equalTo(13));

        String id = submit("exp", 10);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("runner"), 0, Map.of("zone", "DEU"));
        // Up for hours (no reading covers time before its registration).
        try (Connection connection = dataSource.getConnection()) {
            LockWaits.execute(
                    connection,
                    "UPDATE workers SET registered_at = now() - interval '3 hours' WHERE id = ?",
                    UUID.fromString(runner.id));
        }
        runner.claim(0, 0);
        // One reading covering the last two hours: its energy spreads over the hours by time.
        runner.complete(id, 1, energy(7200, part("CPU", null, "model", 2 * KWH)))
                .then()
                .statusCode(204);

        JsonPath ledger = json(as(owner)
                .get("/api/v1/teams/{t}/runs/{r}/energy", team, id)
                .then()
                .statusCode(200));
        List<Map<String, Object>> intervals = ledger.getList("intervals");
        assertThat(intervals).hasSizeBetween(2, 3);
        double kwh = 0;
        double kg = 0;
        for (int i = 0; i < intervals.size(); i++) {
            String at = "intervals[" + i + "].";
            Instant from = Instant.parse(ledger.getString(at + "from"));
            Instant to = Instant.parse(ledger.getString(at + "to"));
            Instant point = Instant.parse(ledger.getString(at + "intensity.timestamp"));
            long h = Duration.between(hour, point).toHours();
            assertThat(point).isBeforeOrEqualTo(from);
            assertThat(to).isBeforeOrEqualTo(point.plus(Duration.ofHours(1)));
            assertThat(ledger.getDouble(at + "intensity.gCo2ePerKwh")).isEqualTo(200.0 + 10 * h);
            assertThat(ledger.getString(at + "intensity.source")).isEqualTo("grid operator");
            assertThat(ledger.getDouble(at + "itKwh"))
                    .isCloseTo(2.0 * Duration.between(from, to).toNanos() / 7200e9, within(1e-6));
            kwh += ledger.getDouble(at + "itKwh");
            kg += ledger.getDouble(at + "itKwh") * ledger.getDouble(at + "intensity.gCo2ePerKwh") / 1000;
        }
        assertThat(kwh).isCloseTo(2.0, EXACT);
        assertThat(run(id).getDouble("emissions.kgCo2e")).isCloseTo(kg, EXACT);
        assertThat(run(id).getString("emissions.intensity.method")).contains("hourly trace");

        // A run outside the trace's hours uses the yearly table and says so.
        csv(owner, "timestamp,g\n2020-01-01T00:00:00Z,100\n2020-01-01T01:00:00Z,120\n")
                .put("/api/v1/teams/{t}/carbon/traces/{z}", team, "DEU")
                .then()
                .statusCode(200)
                .body("points", equalTo(2));
        String later = trained("DE", 1.0);
        assertThat(run(later).getDouble("emissions.intensity.gCo2ePerKwh")).isEqualTo(380.9);
        assertThat(run(later).getString("emissions.intensity.note")).contains("outside the team's uploaded trace");
        // What was charged before keeps the intensity it was charged with.
        assertThat(run(id).getDouble("emissions.kgCo2e")).isCloseTo(kg, EXACT);
        // An hourly trace whose last point is 90 minutes old: that point held for its hour, which has passed.
        Instant last = Instant.now().minus(Duration.ofMinutes(90)).truncatedTo(ChronoUnit.SECONDS);
        StringBuilder ended = new StringBuilder("timestamp,g\n");
        for (int h = 5; h >= 0; h--) {
            ended.append(last.minus(Duration.ofHours(h))).append(",150\n");
        }
        csv(owner, ended.toString())
                .put("/api/v1/teams/{t}/carbon/traces/{z}", team, "DEU")
                .then()
                .statusCode(200);
        String afterTheTrace = trained("DE", 1.0);
        assertThat(run(afterTheTrace).getDouble("emissions.intensity.gCo2ePerKwh"))
                .isEqualTo(380.9);
        assertThat(run(afterTheTrace).getString("emissions.intensity.note"))
                .contains("outside the team's uploaded trace");
    }

    @Test
    void tracesAreCheckedLineByLineAndOnlyTeamAdminsUploadThem() {
        csv(owner, "2026-01-01T00:00:00Z,100\n2026-01-01T01:00:00Z,abc\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("content"))
                .body("details[0].problem", equalTo("line 2: 'abc' is not a number"));
        csv(owner, "2026-01-01T01:00:00Z,100\n2026-01-01T00:00:00Z,90\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(400)
                .body("details[0].problem", containsString("line 2: timestamps must increase"));
        csv(owner, "2026-01-01T00:00:00Z,-3\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(400);
        // Years PostgreSQL cannot store: refused by line, not a 500 from the database.
        csv(owner, "2026-01-01T00:00:00Z,100\n+300000-01-01T00:00:00Z,90\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(400)
                .body("details[0].problem", equalTo("line 2: '+300000-01-01T00:00:00Z' is not in the years 1 to 9999"));
        // A zone is a code or a region name: not a path (it names the trace's URL) nor free text.
        for (String zone : List.of("r3zone2\nforged", "two words", " ", "l?team=other#frag", "x".repeat(65))) {
            csv(owner, "2026-01-01T00:00:00Z,100\n")
                    .put("/api/v1/teams/{t}/carbon/traces/{z}", team, zone)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("zone"));
        }
        csv(owner, "2026-01-01T00:00:00Z,100\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR?source={s}", team, "s".repeat(301))
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("source"));
        String member = newMember(team, "MEMBER");
        csv(member, "2026-01-01T00:00:00Z,100\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(403);
        as(owner)
                .get("/api/v1/teams/{t}/carbon/traces", team)
                .then()
                .statusCode(200)
                .body("", hasSize(0));
        csv(owner, "2026-01-01 00:00,100\n2026-01-01 01:00,90\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(201)
                .body("firstAt", equalTo("2026-01-01T00:00:00Z"))
                .body("lastAt", equalTo("2026-01-01T01:00:00Z"));
        as(member)
                .get("/api/v1/teams/{t}/carbon/traces/FRA", team)
                .then()
                .statusCode(200)
                .body("points", equalTo(2));
        as(owner).delete("/api/v1/teams/{t}/carbon/traces/FR", team).then().statusCode(204);
        as(owner).get("/api/v1/teams/{t}/carbon/traces/FR", team).then().statusCode(404);
    }

    @Test
    void pastItsMonthlyBudgetATeamsNewRunsAreWarnedThenRefused() {
        as(owner)
                .body(Map.of("monthlyKgCo2e", 0.1, "warnPercent", 50))
                .put("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(200)
                .body("state", equalTo("OK"))
                .body("enforcement", equalTo("REFUSE"));
        as(newMember(team, "MEMBER"))
                .body(Map.of("monthlyKgCo2e", 100))
                .put("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(403);

        trained("FR", 1.0); // 0.056 kg: 56 % of the budget
        String warned = submit("exp", 10);
        assertThat(run(warned).getList("warnings", String.class))
                .singleElement()
                .asString()
                .startsWith("Budget warning: the team '" + team + "' has used 0.056 of its 0.100 kg CO2e budget");

        as(owner).post("/api/v1/teams/{t}/runs/{r}/cancel", team, warned).then().statusCode(200);
        trained("FR", 1.0); // 0.112 kg in all
        as(owner)
                .body(Map.of(
                        "experiment",
                        "exp",
                        "dataset",
                        Map.of("name", "penguins", "version", "latest"),
                        "recipe",
                        "tabular-classification",
                        "params",
                        Map.of("label", "species")))
                .post("/api/v1/teams/{t}/runs", team)
                .then()
                .statusCode(402)
                .body("code", equalTo("BUDGET_EXCEEDED"))
                .body("message", containsString("0.112 of its 0.100 kg CO2e budget"));
        as(owner)
                .get("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(200)
                .body("state", equalTo("EXCEEDED"))
                .body("usedKgCo2e", equalTo(0.112f));

        as(owner)
                .body(Map.of("monthlyKgCo2e", 0.1, "enforcement", "WARN"))
                .put("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(200);
        assertThat(run(submit("exp", 10)).getList("warnings", String.class))
                .singleElement()
                .asString()
                .startsWith("Over budget");
        as(owner)
                .body(Map.of("monthlyKgCo2e", -1))
                .put("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("monthlyKgCo2e"));
    }

    @Test
    void aQueuedRunIsForecastFromTheTeamsSimilarFinishedRuns() throws Exception {
        String basis = trained("FR", 1.0); // 10 epochs on the 344 penguins
        String queued = submit("exp", 20);
        JsonPath view = run(queued);
        assertThat(view.getDouble("forecast.kwh")).isCloseTo(2.0, EXACT);
        assertThat(view.getDouble("forecast.kgCo2e")).isCloseTo(2.0 * 56.0 / 1000, EXACT);
        assertThat(view.getList("forecast.basedOn")).containsExactly(basis);
        assertThat(view.getString("forecast.basis")).contains("1 finished tabular-classification run(s)");
        // Far more epochs than any finished run: no basis, no forecast.
        assertThat((Object) run(submit("exp", 500)).get("forecast")).isNull();
        // Back in the queue after epoch 5 (its runner lost): the 15 epochs left, beside what its attempt showed.
        try (Connection connection = dataSource.getConnection()) {
            LockWaits.execute(connection, "UPDATE runs SET checkpoint_epoch = 5 WHERE id = ?", UUID.fromString(queued));
        }
        JsonPath resumed = run(queued);
        assertThat(resumed.getDouble("forecast.kwh")).isCloseTo(2.0 * 15 / 20, EXACT);
        assertThat(resumed.getString("forecast.basis"))
                .endsWith("the 15 of 20 epochs left, as it resumes after epoch 5");
    }

    @Test
    void summariesGroupATeamsEnergyAndExportAsCsv() {
        String dayBefore = Instant.now().toString().substring(0, 10);
        newExperiment(owner, team, "other");
        trained("FR", 1.0);
        trained("FR", 2.0);
        String other = submit("other", 10);
        FakeRunner runner = FakeRunner.register(runnerToken, unique("runner"), 0, Map.of("zone", "NO"));
        runner.claim(0, 0);
        runner.complete(other, 1, energy(60, part("CPU", null, "model", 0.5 * KWH)))
                .then()
                .statusCode(204);

        JsonPath summary = json(as(owner)
                .get("/api/v1/teams/{t}/carbon/summary?groupBy=experiment", team)
                .then()
                .statusCode(200));
        assertThat(summary.getDouble("total.kwh")).isCloseTo(3.5, EXACT);
        assertThat(summary.getInt("total.runs")).isEqualTo(3);
        assertThat(summary.getDouble("total.kgCo2e")).isCloseTo(3.0 * 0.056 + 0.5 * 0.0301, EXACT);
        assertThat(summary.getList("groups.key")).containsExactly("exp", "other");
        assertThat(summary.getDouble("groups[0].kwh")).isCloseTo(3.0, EXACT);
        assertThat(summary.getDouble("groups[0].kwhByMethod.model")).isCloseTo(3.0, EXACT);
        assertThat(summary.getInt("groups[1].runs")).isEqualTo(1);

        // The runs ended on the day the test began or, across a UTC midnight, the day it is now.
        String lastDay = json(as(owner)
                        .get("/api/v1/teams/{t}/carbon/summary?groupBy=day", team)
                        .then()
                        .statusCode(200))
                .getString("groups[-1].key");
        assertThat(lastDay).isIn(dayBefore, Instant.now().toString().substring(0, 10));
        String exported = as(owner)
                .get("/api/v1/teams/{t}/carbon/summary?groupBy=experiment&format=csv", team)
                .then()
                .statusCode(200)
                .contentType("text/csv")
                .extract()
                .asString();
        assertThat(exported.lines().toList())
                .hasSize(4)
                .first()
                .isEqualTo("key,kwh,it_kwh,kg_co2e,runs,counter_kwh,power_integral_kwh,rapl_kwh,model_kwh");
        assertThat(exported.lines().toList().get(3)).startsWith("total,3.5,3.5,");
        as(owner)
                .get("/api/v1/teams/{t}/carbon/summary?groupBy=colour", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("groupBy"));
        as(owner)
                .get("/api/v1/teams/{t}/carbon/summary?from=2026-12-01&to=2026-11-01", team)
                .then()
                .statusCode(400);
        as(owner)
                .get("/api/v1/teams/{t}/carbon/summary?from=+300000-01-01T00:00:00Z", team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("from"));
        as(owner)
                .get("/api/v1/teams/{t}/carbon/summary?from=2020-01-01&to=2020-02-01", team)
                .then()
                .statusCode(200)
                .body("total.runs", equalTo(0));
    }

    @Test
    void aWorkersTimeWithoutARunIsItsOwnAndNoTeams() {
        FakeRunner runner = FakeRunner.register(runnerToken, unique("runner"), 0, Map.of("zone", "FR", "pue", 1.2));
        Map<String, Object> idle = Map.of(
                "session", UUID.randomUUID().toString(),
                "energy", energy(600, part("CPU", null, "model", 1 * KWH), part("RAM", null, "model", 0.5 * KWH)));
        runner.heartbeat(null, 0, null, idle).then().statusCode(200);
        runner.heartbeat(null, 0, null, idle).then().statusCode(200);

        JsonPath workers = json(as(owner).get("/api/v1/workers").then().statusCode(200));
        String at = "find { it.id == '" + runner.id + "' }.";
        assertThat(workers.getDouble(at + "idleEnergy.kwh")).isCloseTo(1.5 * 1.2, EXACT);
        assertThat(workers.getDouble(at + "idleEnergy.kgCo2e")).isCloseTo(1.5 * 1.2 * 0.056, EXACT);
        assertThat(workers.getDouble(at + "pue")).isEqualTo(1.2);
        as(owner)
                .get("/api/v1/teams/{t}/carbon/summary", team)
                .then()
                .statusCode(200)
                .body("total.kwh", equalTo(0.0f));
    }

    @Test
    void aTeamSeesNoneOfAnotherTeamsCarbonData() {
        String run = trained("FR", 1.0);
        csv(owner, "2026-01-01T00:00:00Z,100\n")
                .put("/api/v1/teams/{t}/carbon/traces/FR", team)
                .then()
                .statusCode(201);
        as(owner)
                .body(Map.of("monthlyKgCo2e", 5))
                .put("/api/v1/teams/{t}/carbon/budget", team)
                .then()
                .statusCode(200);

        String otherTeam = newTeam();
        String stranger = newMember(otherTeam, "ADMIN");
        for (String path : List.of("summary", "budget", "traces", "traces/FR")) {
            as(stranger)
                    .get("/api/v1/teams/{t}/carbon/" + path, team)
                    .then()
                    .statusCode(404)
                    .body("code", equalTo("NOT_FOUND"));
        }
        as(stranger).get("/api/v1/teams/{t}/runs/{r}/energy", team, run).then().statusCode(404);
        as(stranger)
                .get("/api/v1/teams/{t}/runs/{r}/energy", otherTeam, run)
                .then()
                .statusCode(404);
        as(stranger)
                .get("/api/v1/teams/{t}/carbon/summary", otherTeam)
                .then()
                .statusCode(200)
                .body("total.runs", equalTo(0))
                .body("total.kwh", equalTo(0.0f));
        as(stranger)
                .get("/api/v1/teams/{t}/carbon/budget", otherTeam)
                .then()
                .statusCode(200)
                .body("state", equalTo("NONE"))
                .body("usedKgCo2e", equalTo(0.0f));
    }
}
