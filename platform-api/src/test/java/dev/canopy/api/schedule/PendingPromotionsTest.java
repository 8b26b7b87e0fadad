package dev.canopy.api.schedule;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.LockWaits;
import dev.canopy.api.TestApi;
import dev.canopy.api.endpoint.TrainedModels;
import dev.canopy.api.run.RunFinished;
import dev.canopy.api.schedule.PendingPromotions.Pending;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A version a scheduled run registered is promoted even when the control plane that ended the run stopped before
 * deciding its promotion (the run's end wrote the row this test writes): once nobody renews its lease, a sweep takes
 * it up. The lease is {@code %test.canopy.schedules.promotion-lease} (2 s).
 */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class PendingPromotionsTest {

    @Inject
    PendingPromotions pending;

    @Inject
    ScheduleConfig config;

    @Inject
    EntityManager entityManager;

    @Inject
    DataSource dataSource;

    @Inject
    Event<RunFinished> finished;

    /** A schedule promoting to an endpoint with version 1 live, and version 2 of the model with its run. */
    private record Setup(
            TrainedModels models, String endpoint, String schedule, UUID scheduleId, UUID run, UUID version) {

        /**
         * With the schedule made by the user of {@code maker} (a token), or by the models' owner for null, and a gate
         * of {@code minimumAccuracy}.
         */
        static Setup make(EntityManager entityManager, String maker, double minimumAccuracy) {
            TrainedModels models = TrainedModels.get();
            String endpoint = models.newEndpoint("recovered");
            models.promote(endpoint, Map.of("version", "1"));
            String data = unique("recover-data");
            newPenguins(models.token, models.team, data);
            String name = unique("recover");
            UUID schedule = UUID.fromString(as(maker == null ? models.token : maker)
                    .body(TrainedModels.schedule(data, name, endpoint, minimumAccuracy))
                    .post("/api/v1/teams/{t}/schedules", models.team)
                    .then()
                    .statusCode(201)
                    .extract()
                    .<String>path("id"));
            UUID run = UUID.fromString(as(models.token)
                    .get("/api/v1/teams/{t}/models/{m}/versions/2", models.team, TrainedModels.MODEL)
                    .then()
                    .statusCode(200)
                    .extract()
                    .<String>path("runId"));
            UUID version = QuarkusTransaction.requiringNew().call(() -> (UUID) entityManager
                    .createNativeQuery("SELECT id FROM model_versions WHERE run_id = ?1")
                    .setParameter(1, run)
                    .getSingleResult());
            return new Setup(models, endpoint, name, schedule, run, version);
        }

        int liveVersion() {
            Integer live = as(models.token)
                    .get("/api/v1/teams/{t}/endpoints/{e}", models.team, endpoint)
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("liveVersion");
            return live == null ? 0 : live;
        }

        JsonPath history() {
            return models.history(endpoint);
        }

        String lastError() {
            return as(models.token)
                    .get("/api/v1/teams/{t}/schedules/{s}", models.team, schedule)
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("lastError");
        }
    }

    @Test
    void theTransactionThatEndsAScheduledRunLeavesItsVersionWaitingAndThenThePromotionIsDecided() {
        Setup setup = Setup.make(entityManager, null, 0.5);
        RunFinished end = new RunFinished(setup.run(), UUID.randomUUID(), setup.scheduleId(), setup.version());

        // An end that rolls back leaves nothing waiting and promotes nothing.
        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                    finished.fire(end);
                    assertThat(waitingHere(setup.version())).isTrue();
                    throw new IllegalStateException("the run's end fails after the event");
                }))
                .hasMessage("the run's end fails after the event");
        assertThat(waiting(setup.version())).isFalse();

        // One that commits: the version waits from that commit, and this control plane promotes it at once.
        QuarkusTransaction.requiringNew().run(() -> {
            finished.fire(end);
            assertThat(waitingHere(setup.version())).isTrue();
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> setup.liveVersion() == 2);
        assertThat(setup.history().getString("[0].actor")).isEqualTo("schedule " + setup.schedule());
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiting(setup.version()));
        assertThat(setup.lastError()).isNull();
    }

    @Test
    void aPromotionNobodyHoldsIsDecidedByASweepAndOneHeldIsLeftToItsHolder() {
        Setup setup = Setup.make(entityManager, null, 0.5);
        UUID version = setup.version();
        Duration lease = config.promotionLease();

        // Held by this control plane, still deciding it: its renewed lease keeps every sweep away.
        QuarkusTransaction.requiringNew()
                .run(() -> pending.add(new Pending(version, setup.scheduleId(), setup.run(), 1)));
        pending.hold(version);
        await().during(lease.multipliedBy(3))
                .atMost(lease.multipliedBy(5))
                .until(() -> setup.liveVersion() == 1 && waiting(version));

        // Cut off from the database past its lease, it was taken up by another control plane: what this one decides
        // then removes nothing, the other decides.
        UUID other = UUID.randomUUID();
        update(
                "UPDATE schedule_promotions SET taken_by = ?2, taken_until = now() + interval '1 hour'"
                        + " WHERE model_version_id = ?1",
                version,
                other);
        pending.decided(version);
        assertThat(waiting(version)).isTrue();

        // That one stopped too: once its lease runs out, a sweep promotes the version through the gates.
        update(
                "UPDATE schedule_promotions SET taken_until = now() WHERE model_version_id = ?1 AND taken_by = ?2",
                version,
                other);
        await().atMost(Duration.ofSeconds(30)).until(() -> setup.liveVersion() == 2);
        JsonPath history = setup.history();
        assertThat(history.getList("kind", String.class)).containsExactly("PROMOTED", "PROMOTED");
        assertThat(history.getString("[0].actor")).isEqualTo("schedule " + setup.schedule());
        assertThat(history.getString("[0].reason"))
                .isEqualTo("retrained by schedule " + setup.schedule() + " (run " + setup.run() + ")");
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiting(version));

        // Taken up again once it is live (its control plane promoted it, then stopped before saying so): it goes,
        // and nothing more is recorded.
        update(
                "INSERT INTO schedule_promotions (model_version_id, schedule_id, run_id, taken_by, taken_until)"
                        + " VALUES (?1, ?2, ?3, ?4, now())",
                version,
                setup.scheduleId(),
                setup.run(),
                other);
        await().atMost(Duration.ofSeconds(30)).until(() -> !waiting(version));
        assertThat(setup.history().getList("kind")).hasSize(2);
        assertThat(setup.lastError()).isNull();
    }

    /** Pausing while the gates are checked: the schedule is read again, locked, in the promotion's transaction. */
    @Test
    void aScheduleMadePausedWhileItsGatesAreCheckedPromotesNothing() throws Exception {
        Setup setup = Setup.make(entityManager, null, 0.5);

        decideWhileHeld(
                setup,
                c -> LockWaits.execute(c, "UPDATE schedules SET paused = true WHERE id = ?", setup.scheduleId()));

        assertThat(setup.liveVersion()).isEqualTo(1);
        assertThat(setup.history().getList("kind")).hasSize(1);
        assertThat(setup.lastError())
                .endsWith("was not promoted: schedule " + setup.schedule() + " was paused while the gates were"
                        + " checked");
    }

    @Test
    void aScheduleMadePausedWhileItsGatesFailRecordsNoRefusalOnTheEndpoint() throws Exception {
        Setup setup = Setup.make(entityManager, null, 2.0);

        decideWhileHeld(
                setup,
                c -> LockWaits.execute(c, "UPDATE schedules SET paused = true WHERE id = ?", setup.scheduleId()));

        // Called off before its refusal was recorded: the endpoint's trail holds the first promotion only.
        assertThat(setup.history().getList("kind")).hasSize(1);
        assertThat(setup.lastError()).endsWith("was paused while the gates were checked");
    }

    @Test
    void aScheduleGivenStricterGatesWhileItsGatesAreCheckedPromotesNothing() throws Exception {
        Setup setup = Setup.make(entityManager, null, 0.5);

        decideWhileHeld(
                setup,
                c -> LockWaits.execute(
                        c,
                        "UPDATE schedules SET promote_gates = '[{\"type\": \"threshold\", \"metric\":"
                                + " \"test_accuracy\", \"op\": \">=\", \"value\": 2.0}]' WHERE id = ?",
                        setup.scheduleId()));

        assertThat(setup.liveVersion()).isEqualTo(1);
        assertThat(setup.lastError()).endsWith("was given other promotion gates while the gates were checked");
    }

    @Test
    void aScheduleWhoseMakerLeftTheTeamWhileItsGatesAreCheckedPromotesNothing() throws Exception {
        TestApi.Member maker = TestApi.newMemberWithToken(TrainedModels.get().team, "MEMBER");
        Setup setup = Setup.make(entityManager, maker.token(), 0.5);

        decideWhileHeld(setup, c -> {
            try (PreparedStatement leave = c.prepareStatement(
                    "DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE name = ?)")) {
                leave.setString(1, maker.user());
                leave.execute();
            }
        });

        assertThat(setup.liveVersion()).isEqualTo(1);
        // Refused, not promoted: nothing is recorded on the endpoint either.
        assertThat(setup.history().getList("kind")).hasSize(1);
        assertThat(setup.lastError())
                .contains("it acts for '" + maker.user()
                        + "', who made, last changed or resumed it and is no longer a member or admin");
    }

    @Test
    void aPromotionTakenUpByAnotherControlPlaneWhileItsGatesAreCheckedIsLeftToThatOne() throws Exception {
        Setup setup = Setup.make(entityManager, null, 0.5);
        UUID other = UUID.randomUUID();

        // This control plane's lease ran out while the gates ran, and another one took the promotion up.
        decideWhileHeld(
                setup,
                c -> {
                    try (PreparedStatement takeUp = c.prepareStatement("UPDATE schedule_promotions SET taken_by = ?,"
                            + " taken_until = now() + interval '10 minutes' WHERE model_version_id = ?")) {
                        takeUp.setObject(1, other);
                        takeUp.setObject(2, setup.version());
                        takeUp.execute();
                    }
                },
                () -> !pending.holds(setup.version()) && other.equals(holder(setup.version())));

        assertThat(setup.liveVersion()).isEqualTo(1);
        assertThat(setup.history().getList("kind")).hasSize(1);
        // Nothing said on the schedule either: that one decides, and says so.
        assertThat(setup.lastError()).isNull();
        assertThat(holder(setup.version())).isEqualTo(other);
    }

    /**
     * A person promoted the same version while the gates were checked: the schedule's promotion finds the endpoint
     * changed (a conflict), looks again, and finds its version live, which is done, not a refusal.
     */
    @Test
    void aVersionAPersonPromotedWhileTheGatesWereCheckedIsDoneNotRefused() throws Exception {
        Setup setup = Setup.make(entityManager, null, 0.5);

        decideWhileHeld(setup, c -> {
            try (PreparedStatement promote = c.prepareStatement("UPDATE endpoints SET previous_version_id ="
                    + " live_version_id, live_version_id = ? WHERE name = ?")) {
                promote.setObject(1, setup.version());
                promote.setString(2, setup.endpoint());
                promote.execute();
            }
        });

        assertThat(setup.liveVersion()).isEqualTo(2);
        // The schedule recorded nothing: neither a promotion of its own nor a refusal.
        assertThat(setup.history().getList("kind")).hasSize(1);
        assertThat(setup.lastError()).isNull();
    }

    /**
     * Runs of two fires can finish out of order: the version trained on an earlier version of the data does not
     * replace the live version the schedule trained on a later one.
     */
    @Test
    void aVersionOfOlderDataDoesNotReplaceTheSchedulesLiveVersionOfNewerData() {
        Setup setup = Setup.make(entityManager, null, 0.5);
        String data = asTrainedOnNewerData(setup, true, liveRun -> {
            QuarkusTransaction.requiringNew()
                    .run(() -> finished.fire(
                            new RunFinished(setup.run(), UUID.randomUUID(), setup.scheduleId(), setup.version())));
            await().atMost(Duration.ofSeconds(30)).until(() -> !waiting(setup.version()));
        });

        assertThat(setup.liveVersion()).isEqualTo(1);
        assertThat(setup.history().getList("kind")).hasSize(1);
        assertThat(setup.lastError())
                .contains("was not promoted: version 1, live on endpoint '" + setup.endpoint() + "' from a run of"
                        + " schedule " + setup.schedule() + ", was trained on version 2 of dataset " + data
                        + ", a later one than this version's (1); a model of older data does not replace it");
    }

    /** The same, when the live version is found the schedule's while the gates are checked. */
    @Test
    void aScheduleVersionOfNewerDataFoundLiveWhileTheGatesWereCheckedIsNotReplaced() throws Exception {
        Setup setup = Setup.make(entityManager, null, 0.5);
        asTrainedOnNewerData(
                setup,
                false,
                liveRun -> decideWhileHeld(setup, c -> {
                    try (PreparedStatement ours = c.prepareStatement("UPDATE runs SET schedule_id = ? WHERE id = ?")) {
                        ours.setObject(1, setup.scheduleId());
                        ours.setObject(2, liveRun);
                        ours.execute();
                    }
                }));

        assertThat(setup.liveVersion()).isEqualTo(1);
        assertThat(setup.history().getList("kind")).hasSize(1);
        assertThat(setup.lastError()).contains("a model of older data does not replace it");
    }

    private interface WithRun {
        void run(UUID liveRun) throws Exception;
    }

    /**
     * Runs {@code work} with version 1 (live on the endpoint) as if trained on version 2 of a new dataset and version
     * 2 (the setup's) on its version 1, version 1's run made a run of the setup's schedule first ({@code ours}) or by
     * {@code work}; then gives both versions and the run back what they had (the trained models are shared with other
     * tests). Returns the dataset's name.
     */
    private String asTrainedOnNewerData(Setup setup, boolean ours, WithRun work) {
        UUID liveRun = UUID.fromString(as(setup.models().token)
                .get("/api/v1/teams/{t}/models/{m}/versions/1", setup.models().team, TrainedModels.MODEL)
                .then()
                .statusCode(200)
                .extract()
                .<String>path("runId"));
        UUID live = (UUID) single("SELECT id FROM model_versions WHERE run_id = ?1", liveRun);
        String data = unique("older-newer");
        newPenguins(setup.models().token, setup.models().team, data);
        TestApi.csv(
                        setup.models().token,
                        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n"
                                + "Adelie,Dream,38.1,18.0,190,3700,MALE\n".repeat(20))
                .post("/api/v1/teams/{t}/datasets/{d}/versions", setup.models().team, data)
                .then()
                .statusCode(201);
        String version = "SELECT v.id FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE d.name = ?1"
                + " AND v.version = ?2";
        UUID older = (UUID) single(version, data, 1);
        UUID newer = (UUID) single(version, data, 2);
        Object liveData = single("SELECT dataset_version_id FROM model_versions WHERE id = ?1", live);
        Object candidateData = single("SELECT dataset_version_id FROM model_versions WHERE id = ?1", setup.version());
        String trainedOn = "UPDATE model_versions SET dataset_version_id = ?1 WHERE id = ?2";
        try {
            update(trainedOn, newer, live);
            update(trainedOn, older, setup.version());
            if (ours) {
                update("UPDATE runs SET schedule_id = ?1 WHERE id = ?2", setup.scheduleId(), liveRun);
            }
            work.run(liveRun);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            update("UPDATE runs SET schedule_id = NULL WHERE id = ?1", liveRun);
            update(trainedOn, liveData, live);
            update(trainedOn, candidateData, setup.version());
        }
        return data;
    }

    private Object single(String sql, Object... parameters) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var query = entityManager.createNativeQuery(sql);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            return query.getSingleResult();
        });
    }

    /** Who holds the version's promotion; null when none waits. */
    private Object holder(UUID version) {
        return QuarkusTransaction.requiringNew().call(() -> entityManager
                .createNativeQuery("SELECT taken_by FROM schedule_promotions WHERE model_version_id = ?1")
                .setParameter(1, version)
                .getResultList()
                .stream()
                .findFirst()
                .orElse(null));
    }

    /**
     * Lets the schedule decide its run's version while the test holds the endpoint's row, so that the promotion, its
     * gates passed, waits to change it; then lands {@code meanwhile} and lets it go on.
     */
    private void decideWhileHeld(Setup setup, LockWaits.Work meanwhile) throws Exception {
        decideWhileHeld(setup, meanwhile, () -> !waiting(setup.version()));
    }

    /** {@link #decideWhileHeld(Setup, LockWaits.Work)}, done once {@code decided} is true. */
    private void decideWhileHeld(Setup setup, LockWaits.Work meanwhile, Callable<Boolean> decided) throws Exception {
        UUID endpoint = LockWaits.id(dataSource, "SELECT id FROM endpoints WHERE name = ?", setup.endpoint());
        LockWaits.callWhileHeld(
                dataSource,
                c -> LockWaits.execute(c, "SELECT 1 FROM endpoints WHERE id = ? FOR UPDATE", endpoint),
                "%from endpoints%for%update%",
                () -> {
                    update(
                            "INSERT INTO schedule_promotions (model_version_id, schedule_id, run_id, taken_by,"
                                    + " taken_until) VALUES (?1, ?2, ?3, ?4, now())",
                            setup.version(),
                            setup.scheduleId(),
                            setup.run(),
                            UUID.randomUUID());
                    await().atMost(Duration.ofSeconds(30)).until(decided);
                    return null;
                },
                meanwhile);
    }

    private void update(String sql, Object... parameters) {
        QuarkusTransaction.requiringNew().run(() -> {
            var query = entityManager.createNativeQuery(sql);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            query.executeUpdate();
        });
    }

    private boolean waiting(UUID version) {
        return QuarkusTransaction.requiringNew().call(() -> waitingHere(version));
    }

    /** In the caller's transaction. */
    private boolean waitingHere(UUID version) {
        return !entityManager
                .createNativeQuery("SELECT 1 FROM schedule_promotions WHERE model_version_id = ?1")
                .setParameter(1, version)
                .getResultList()
                .isEmpty();
    }
}
