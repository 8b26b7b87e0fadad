package dev.canopy.api.carbon;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.unique;
import static dev.canopy.api.worker.FakeRunner.energy;
import static dev.canopy.api.worker.FakeRunner.part;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.canopy.api.worker.FakeRunner;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Energy and CO2e of runs through the real worker protocol, with readings the test chooses: the arithmetic
 * (kWh, PUE, intensity, kg), cumulative readings, attempts added up, unmeasured components, the per-run ledger and
 * bad readings.
 */
@QuarkusTest
class CarbonAccountingTest extends CarbonTeamFixture {

    FakeRunner runner(String zone, Double pue) {
        Map<String, Object> extra = pue == null ? Map.of("zone", zone) : Map.of("zone", zone, "pue", pue);
        return FakeRunner.register(runnerToken, unique("runner"), 1, extra);
    }

    @Test
    void aRunsEnergyIsItsComponentsTimesThePueAndItsEmissionsTheZonesIntensity() {
        FakeRunner runner = runner("FR", 1.5);
        String id = submit("exp", 10);
        assertThat(runner.claim(1, 0)).containsEntry("runId", id);
        Map<String, Object> live = energy(
                10,
                part("GPU", 0, "counter", 1 * KWH),
                part("CPU", null, "model", 0.5 * KWH),
                part("RAM", null, "model", 0.1 * KWH));
        runner.heartbeat(id, 1, live, null).then().statusCode(200);
        // The same cumulative reading again (a retry, or a heartbeat racing an epoch report) adds nothing.
        runner.heartbeat(id, 1, live, null).then().statusCode(200);

        JsonPath running = run(id);
        assertThat(running.getDouble("energy.itKwh")).isCloseTo(1.6, EXACT);
        assertThat(running.getBoolean("energy.final")).isFalse();

        runner.complete(
                        id,
                        1,
                        energy(
                                20,
                                part("GPU", 0, "counter", 2 * KWH),
                                part("CPU", null, "model", 1 * KWH),
                                part("RAM", null, "model", 0.2 * KWH)))
                .then()
                .statusCode(204);

        JsonPath done = run(id);
        assertThat(done.getDouble("energy.itKwh")).isCloseTo(3.2, EXACT);
        assertThat(done.getDouble("energy.totalKwh")).isCloseTo(4.8, EXACT);
        assertThat(done.getDouble("energy.pue")).isCloseTo(1.5, EXACT);
        assertThat(done.getBoolean("energy.final")).isTrue();
        assertThat(done.getBoolean("energy.complete")).isTrue();
        assertThat(done.getList("energy.components.component")).containsExactly("GPU", "CPU", "RAM");
        assertThat(done.getList("energy.components.method")).containsExactly("counter", "model", "model");
        assertThat(done.getInt("energy.components[0].device")).isZero();
        assertThat(done.getDouble("energy.components[0].kwh")).isCloseTo(2.0, EXACT);
        assertThat(done.getDouble("energy.components[1].kwh")).isCloseTo(1.0, EXACT);
        assertThat(done.getDouble("energy.components[2].kwh")).isCloseTo(0.2, EXACT);
        // 4.8 kWh at France's 2023 yearly average, 56.0 g/kWh (Ember via Our World in Data).
        assertThat(done.getDouble("emissions.kgCo2e")).isCloseTo(4.8 * 56.0 / 1000, EXACT);
        assertThat(done.getString("emissions.intensity.zone")).isEqualTo("FRA");
        assertThat(done.getDouble("emissions.intensity.gCo2ePerKwh")).isEqualTo(56.0);
        assertThat(done.getInt("emissions.intensity.year")).isEqualTo(2023);
        assertThat(done.getString("emissions.intensity.method")).isEqualTo("yearly average, lifecycle");
        assertThat(done.getString("emissions.intensity.source")).startsWith("Ember and Energy Institute");
        assertThat(done.getBoolean("emissions.intensity.fallback")).isFalse();

        JsonPath ledger = json(as(owner)
                .get("/api/v1/teams/{t}/runs/{r}/energy", team, id)
                .then()
                .statusCode(200));
        List<Map<String, Object>> intervals = ledger.getList("intervals");
        // Three components, one interval each per UTC hour: the second reading extended the first's intervals
        // (unless an hour began in between).
        Instant first = Instant.parse(ledger.getString("intervals[0].from"));
        Instant last = Instant.parse(ledger.getString("intervals[" + (intervals.size() - 1) + "].to"));
        long hours = ChronoUnit.HOURS.between(
                        first.truncatedTo(ChronoUnit.HOURS), last.minusNanos(1).truncatedTo(ChronoUnit.HOURS))
                + 1;
        assertThat(intervals).hasSize(3 * (int) hours);
        double sum = 0;
        for (int i = 0; i < intervals.size(); i++) {
            double kwh = ledger.getDouble("intervals[" + i + "].itKwh");
            sum += kwh;
            assertThat(ledger.getDouble("intervals[" + i + "].kgCo2e")).isCloseTo(kwh * 1.5 * 56.0 / 1000, EXACT);
            Instant from = Instant.parse(ledger.getString("intervals[" + i + "].from"));
            Instant to = Instant.parse(ledger.getString("intervals[" + i + "].to"));
            assertThat(to).isBeforeOrEqualTo(from.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS));
        }
        assertThat(sum).isCloseTo(3.2, EXACT);
    }

    @Test
    void aGpuThatCouldNotBeReadIsReportedUnmeasuredNeverAsZero() {
        FakeRunner runner = runner("DE", null);
        String id = submit("exp", 10);
        runner.claim(1, 0);
        runner.fail(id, 1, energy(30, part("GPU", 0, "unmeasured", null), part("CPU", null, "model", 0.5 * KWH)))
                .then()
                .statusCode(204);

        JsonPath done = run(id);
        assertThat(done.getBoolean("energy.complete")).isFalse();
        assertThat(done.getString("energy.components[0].method")).isEqualTo("unmeasured");
        assertThat((Object) done.get("energy.components[0].kwh")).isNull();
        assertThat(done.getString("energy.components[0].detail")).isEqualTo("test reading");
        assertThat(done.getDouble("energy.itKwh")).isCloseTo(0.5, EXACT);
        assertThat(done.getDouble("emissions.kgCo2e")).isCloseTo(0.5 * 380.9 / 1000, EXACT);
        as(owner)
                .get("/api/v1/teams/{t}/carbon/summary", team)
                .then()
                .statusCode(200)
                .body("unmeasuredRuns", equalTo(1));
    }

    @Test
    void aRunGivenBackByADrainingRunnerAddsUpTheEnergyOfBothAttemptsEachAtItsOwnZone() {
        FakeRunner norway = runner("NO", null);
        String id = submit("exp", 10);
        assertThat(norway.claim(1, 0)).containsEntry("attempt", 1);
        norway.heartbeat(id, 1, energy(30, part("CPU", null, "model", 1 * KWH)), null)
                .then()
                .statusCode(200);
        norway.api()
                .body(Map.of(
                        "attempt",
                        1,
                        "reason",
                        "DRAINING",
                        "energy",
                        energy(45, part("CPU", null, "model", 1.5 * KWH))))
                .post("/api/v1/workers/{id}/runs/{run}/stopped", norway.id, id)
                .then()
                .statusCode(204);
        FakeRunner germany = runner("DEU", null);
        assertThat(germany.claim(1, 0)).containsEntry("runId", id).containsEntry("attempt", 2);
        germany.complete(id, 2, energy(60, part("CPU", null, "model", 2 * KWH)))
                .then()
                .statusCode(204);
        // A late reading of the first attempt, after its lease moved on, is refused and charges nothing.
        norway.heartbeat(id, 1, energy(50, part("CPU", null, "model", 9 * KWH)), null)
                .then()
                .statusCode(200)
                .body("lost", org.hamcrest.Matchers.hasItem(id));

        JsonPath done = run(id);
        assertThat(done.getDouble("energy.itKwh")).isCloseTo(3.5, EXACT);
        assertThat(done.getList("energy.attempts.attempt")).containsExactly(1, 2);
        assertThat(done.getList("energy.attempts.zone")).containsExactly("NOR", "DEU");
        assertThat(done.getDouble("energy.attempts[0].itKwh")).isCloseTo(1.5, EXACT);
        assertThat(done.getDouble("energy.attempts[1].itKwh")).isCloseTo(2.0, EXACT);
        assertThat(done.getBoolean("energy.final")).isTrue();
        double kg = 1.5 * 30.1 / 1000 + 2.0 * 380.9 / 1000;
        assertThat(done.getDouble("emissions.kgCo2e")).isCloseTo(kg, EXACT);
        assertThat(done.getInt("emissions.intensity.parts")).isEqualTo(2);
        assertThat(done.getString("emissions.intensity.zone")).isEqualTo("DEU, NOR");
        assertThat(done.getDouble("emissions.intensity.gCo2ePerKwh")).isCloseTo(kg * 1000 / 3.5, EXACT);
    }

    /** Device 0 of one attempt and device 0 of the next are different cards when their names differ. */
    @Test
    void aRunResumedOnAnotherKindOfGpuShowsEachCardOnItsOwn() {
        FakeRunner first = runner("FR", null);
        String id = submit("exp", 10);
        assertThat(first.claim(1, 0)).containsEntry("attempt", 1);
        Map<String, Object> a100 = part("GPU", 0, "counter", 1 * KWH);
        a100.put("deviceName", "NVIDIA A100-SXM4-40GB");
        first.api()
                .body(Map.of("attempt", 1, "reason", "DRAINING", "energy", energy(30, a100)))
                .post("/api/v1/workers/{id}/runs/{run}/stopped", first.id, id)
                .then()
                .statusCode(204);
        FakeRunner second = runner("FR", null);
        assertThat(second.claim(1, 0)).containsEntry("attempt", 2);
        Map<String, Object> h100 = part("GPU", 0, "counter", 2 * KWH);
        h100.put("deviceName", "NVIDIA H100 80GB HBM3");
        second.complete(id, 2, energy(30, h100)).then().statusCode(204);

        JsonPath done = run(id);
        assertThat(done.getList("energy.components.deviceName"))
                .containsExactly("NVIDIA A100-SXM4-40GB", "NVIDIA H100 80GB HBM3");
        assertThat(done.getDouble("energy.components[0].kwh")).isCloseTo(1.0, EXACT);
        assertThat(done.getDouble("energy.components[1].kwh")).isCloseTo(2.0, EXACT);
        assertThat(done.getDouble("energy.itKwh")).isCloseTo(3.0, EXACT);
    }

    /** A first reading that claims to cover years is charged from the runner's registration on, not years back. */
    @Test
    void aFirstReadingNeverCoversTimeBeforeTheRunnerRegistered() {
        Instant before = Instant.now().minusSeconds(5);
        FakeRunner runner = runner("FR", null);
        String id = submit("exp", 10);
        assertThat(runner.claim(1, 0)).containsEntry("runId", id);

        runner.heartbeat(id, 1, energy(1e8, part("CPU", null, "model", 1 * KWH)), null)
                .then()
                .statusCode(200);

        JsonPath ledger = json(as(owner)
                .get("/api/v1/teams/{t}/runs/{r}/energy", team, id)
                .then()
                .statusCode(200));
        assertThat(Instant.parse(ledger.getString("intervals[0].from"))).isAfter(before);
        assertThat(ledger.getList("intervals")).hasSizeLessThanOrEqualTo(2);
        assertThat(run(id).getDouble("energy.itKwh")).isCloseTo(1.0, EXACT);
    }

    @Test
    void readingsThatMakeNoSenseAreRefusedAndChangeNothing() {
        FakeRunner runner = runner("FR", null);
        String id = submit("exp", 10);
        runner.claim(1, 0);
        List<Map<String, Object>> bad = List.of(
                energy(1, part("CPU", null, "guess", 1.0)),
                energy(1, part("CPU", null, "model", null)),
                energy(1, Map.of("component", "GPU", "device", 0, "method", "unmeasured", "joules", 5.0)),
                energy(1, part("GPU", null, "counter", 1.0)),
                energy(1, part("CPU", null, "model", -1.0)),
                energy(1, part("CPU", null, "model", 1.0), part("CPU", null, "model", 2.0)),
                Map.of(
                        "since",
                        "2026-01-01T00:00:00Z",
                        "at",
                        "2026-01-01T00:00:00Z",
                        "seconds",
                        -5,
                        "components",
                        List.of()));
        for (Map<String, Object> reading : bad) {
            runner.heartbeat(id, 1, reading, null).then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
        }
        runner.api()
                .body("{\"draining\": false, \"runs\": [{\"runId\": \"" + id + "\", \"attempt\": 1, \"energy\": "
                        + "{\"since\": \"2026-01-01T00:00:00Z\", \"at\": \"2026-01-01T00:00:00Z\", \"seconds\": 1, "
                        + "\"components\": [{\"component\": \"CPU\", \"method\": \"model\", \"joules\": \"NaN\"}]}}]}")
                .post("/api/v1/workers/{id}/heartbeat", runner.id)
                .then()
                .statusCode(400);
        assertThat((Object) run(id).get("energy")).isNull();
    }
}
