package dev.canopy.api.schedule;

import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.dataset.DatasetService;
import dev.canopy.api.dataset.DatasetVersionCreated;
import dev.canopy.api.error.ApiException;
import dev.canopy.api.run.RunService;
import dev.canopy.api.run.RunTemplate;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import dev.canopy.scheduler.schedule.DataFireBackstops;
import dev.canopy.scheduler.schedule.ScheduleFiring;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A schedule's fires: a cron schedule's from its Quartz trigger, a data schedule's once the new dataset version is
 * committed. Each fire launches the run template once: the fire's key is recorded with the run, and a second fire
 * with the same key does nothing.
 */
@ApplicationScoped
class ScheduleFires implements ScheduleFiring {

    @Inject
    ScheduleRepository schedules;

    @Inject
    TeamAccess access;

    @Inject
    DatasetService datasets;

    @Inject
    RunService runs;

    @Inject
    EntityManager entityManager;

    @Inject
    DataFireBackstops backstops;

    @Inject
    ScheduleConfig config;

    /**
     * Launches the schedule's run for one fire, in a transaction of its own. A fire that cannot launch (the
     * template no longer fits the data, say) is recorded on the schedule as its last error.
     */
    @Override
    public void fire(UUID scheduleId, String fireKey) {
        fire(scheduleId, fireKey, null);
    }

    /** @param arrived the dataset version whose arrival fired a data schedule; null for a cron fire */
    private void fire(UUID scheduleId, String fireKey, DatasetVersionCreated arrived) {
        Instant began = DatabaseTime.now();
        try {
            QuarkusTransaction.requiringNew().run(() -> launch(scheduleId, fireKey, arrived));
        } catch (RuntimeException e) {
            String error;
            if (e instanceof ApiException refusal) {
                // What a run request would have been told: the team can act on it.
                error = refusal.getMessage();
                Log.warnf("Schedule %s could not launch its run for %s: %s", scheduleId, fireKey, error);
            } else {
                // Not the team's to read (SQL, say); the log has it.
                error = "the run could not be launched because of an internal error (the control plane's log has"
                        + " it, at " + DatabaseTime.now() + ")";
                Log.errorf(e, "Schedule %s could not launch its run for %s", scheduleId, fireKey);
            }
            QuarkusTransaction.requiringNew().run(() -> {
                // Locked as a fire that launches locks it: a fire that launched after this one began (another upload's)
                // is the schedule's last word, and this failure does not write over it.
                Schedule schedule = schedules.findById(scheduleId, LockModeType.PESSIMISTIC_WRITE);
                if (schedule != null && (schedule.lastFiredAt == null || !schedule.lastFiredAt.isAfter(began))) {
                    schedule.noteError(error);
                }
            });
        }
    }

    private void launch(UUID scheduleId, String fireKey, DatasetVersionCreated arrived) {
        // Locked as a pause, change or delete locks it: a fire that meets one launches after it, on what it left.
        Schedule schedule = schedules.findById(scheduleId, LockModeType.PESSIMISTIC_WRITE);
        if (schedule == null || schedule.paused) {
            return;
        }
        // Changed meanwhile to another trigger (a cron for a data schedule, another dataset, or the other way): a
        // fire of the trigger it had launches nothing.
        boolean stillItsTrigger =
                arrived == null ? schedule.cron != null : arrived.datasetId().equals(schedule.onDatasetId);
        if (!stillItsTrigger) {
            Log.infof("Schedule %s: fire %s is of a trigger it no longer has; nothing to do", schedule.name, fireKey);
            return;
        }
        if (!claimFire(scheduleId, fireKey)) {
            Log.infof("Schedule %s: fire %s was launched already; nothing to do", scheduleId, fireKey);
            return;
        }
        // A cron fire seen twice arrives within minutes (a recovered Quartz job, a second control plane): a day of
        // its keys is plenty, and a schedule firing every second does not grow the table without end. A dataset
        // version's fire has a backstop, which Quartz fires late after an outage, however long: its key stays a
        // year (one row per version uploaded).
        entityManager
                .createNativeQuery("DELETE FROM schedule_fires WHERE schedule_id = ?1 AND fired_at < now() - CASE"
                        + " WHEN fire_key LIKE 'dataset-version:%' THEN interval '365 days' ELSE interval '1 day' END")
                .setParameter(1, scheduleId)
                .executeUpdate();
        TeamScope scope = access.system(schedule.teamId, schedule.createdBy);
        RunTemplate template = schedule.runTemplate;
        if (arrived != null
                && arrived.datasetId().equals(schedule.onDatasetId)
                && template.trainsLatest()
                && template.dataset().name().equals(datasets.nameOf(scope, arrived.datasetId()))) {
            // The version that fired it, not whichever is latest once the fire runs (uploads close together).
            template = template.atVersion(arrived.version());
        }
        UUID run = runs.launch(
                scope, template, schedule.id, Map.of("canopy.schedule", schedule.name, "canopy.fire", fireKey));
        entityManager
                .createNativeQuery("UPDATE schedule_fires SET run_id = ?1 WHERE schedule_id = ?2 AND fire_key = ?3")
                .setParameter(1, run)
                .setParameter(2, scheduleId)
                .setParameter(3, fireKey)
                .executeUpdate();
        schedule.lastFiredAt = DatabaseTime.now();
        schedule.lastRunId = run;
        schedule.lastError = null;
        Log.infof("Schedule %s fired (%s): run %s", schedule.name, fireKey, run);
    }

    /**
     * Data-triggered schedules fire once the new version is committed, so that a schedule whose template no
     * longer fits never blocks an upload. A control plane that stops in the instant between the two leaves the fire
     * to its backstop (below).
     */
    void onNewVersion(@Observes(during = TransactionPhase.AFTER_SUCCESS) DatasetVersionCreated created) {
        List<UUID> watching = QuarkusTransaction.requiringNew()
                .call(() -> schedules.findActiveOnDataset(created.datasetId()).stream()
                        .map(s -> s.id)
                        .toList());
        watching.forEach(id -> fire(id, fireKey(created), created));
    }

    /** In the uploading transaction: each watching schedule's fire again, later, stored with the new version. */
    void backstop(@Observes DatasetVersionCreated created) {
        Instant at = Instant.now().plus(config.dataFireBackstop());
        for (Schedule schedule : schedules.findActiveOnDataset(created.datasetId())) {
            backstops.add(
                    schedule.id, created.teamId(), created.datasetId(), created.versionId(), created.version(), at);
        }
    }

    @Override
    public void fireForVersion(UUID scheduleId, UUID teamId, UUID datasetId, UUID versionId, int version) {
        DatasetVersionCreated created = new DatasetVersionCreated(teamId, datasetId, versionId, version);
        fire(scheduleId, fireKey(created), created);
    }

    private static String fireKey(DatasetVersionCreated created) {
        return "dataset-version:" + created.version() + ":" + created.versionId();
    }

    private boolean claimFire(UUID scheduleId, String fireKey) {
        return entityManager
                        .createNativeQuery(
                                "INSERT INTO schedule_fires (schedule_id, fire_key, fired_at) VALUES (?1, ?2, now())"
                                        + " ON CONFLICT DO NOTHING")
                        .setParameter(1, scheduleId)
                        .setParameter(2, fireKey)
                        .executeUpdate()
                == 1;
    }
}
