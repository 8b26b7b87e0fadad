package dev.canopy.api.schedule;

import dev.canopy.api.error.InvalidState;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** What must still hold for a schedule to promote the version its run registered. */
@ApplicationScoped
class PromotionStillDue {

    @Inject
    ScheduleRepository schedules;

    @Inject
    PendingPromotions pending;

    @Inject
    TeamAccess access;

    /**
     * In the transaction that would promote, after the gates (and before a refusal is recorded): the schedule,
     * locked against changes until it commits, still promotes to that endpoint through the same gates (a pause or a
     * change while the gates ran calls the promotion off), its maker is still a member or admin of the team, this
     * control plane still holds the promotion's lease, and no run of the schedule on later data is live there already.
     */
    void check(Schedule read, TeamScope scope, UUID versionId) {
        // First: a control plane that took the promotion up meanwhile decides it, whatever this one finds.
        pending.requireHeld(versionId);
        Schedule now = schedules.findById(read.id, LockModeType.PESSIMISTIC_READ);
        String change = now == null
                ? "deleted"
                : now.paused
                        ? "paused"
                        : !read.promoteTo.equals(now.promoteTo)
                                ? "changed to promote to "
                                        + (now.promoteTo == null ? "no endpoint" : "endpoint '" + now.promoteTo + "'")
                                : !Objects.equals(read.promoteGates, now.promoteGates)
                                        ? "given other promotion gates"
                                        : null;
        if (change != null) {
            throw new InvalidState("schedule " + read.name + " was " + change + " while the gates were checked");
        }
        access.recheckSystem(scope);
        requireNoLaterRunLive(read, scope, versionId);
    }

    /**
     * Refuses a version when the endpoint's live version comes from a run of the same schedule that trained on a later
     * version of the same dataset: runs of two fires can finish out of order (two runners, a retried attempt, a fire
     * replayed by its backstop), and the model of older data would replace the newer one. Compared by dataset version
     * number, not by when the runs were launched (control planes' clocks differ, and a replayed fire launches late).
     */
    void requireNoLaterRunLive(Schedule schedule, TeamScope scope, UUID versionId) {
        @SuppressWarnings("unchecked")
        List<Object[]> newer = schedules
                .getEntityManager()
                .createNativeQuery(
                        """
                        SELECT live.version, d.name, live_data.version, mine_data.version FROM endpoints e
                        JOIN model_versions live ON live.id = e.live_version_id
                        JOIN runs live_run ON live_run.id = live.run_id
                        JOIN dataset_versions live_data ON live_data.id = live.dataset_version_id
                        JOIN datasets d ON d.id = live_data.dataset_id
                        JOIN model_versions mine ON mine.id = ?1
                        JOIN dataset_versions mine_data ON mine_data.id = mine.dataset_version_id
                        WHERE e.team_id = ?2 AND e.name = ?3 AND live_run.schedule_id = ?4
                          AND live_data.dataset_id = mine_data.dataset_id AND live_data.version > mine_data.version
                        """)
                .setParameter(1, versionId)
                .setParameter(2, scope.teamId())
                .setParameter(3, schedule.promoteTo)
                .setParameter(4, schedule.id)
                .getResultList();
        if (!newer.isEmpty()) {
            Object[] row = newer.get(0);
            throw new InvalidState("version " + row[0] + ", live on endpoint '" + schedule.promoteTo + "' from a run"
                    + " of schedule " + schedule.name + ", was trained on version " + row[2] + " of dataset " + row[1]
                    + ", a later one than this version's (" + row[3] + "); a model of older data does not replace it");
        }
    }
}
