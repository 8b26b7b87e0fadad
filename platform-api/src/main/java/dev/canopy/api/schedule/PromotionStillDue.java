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
     * control plane still holds the promotion's lease, and no later run of the schedule is live there already.
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
     * Refuses a version when the endpoint's live version comes from a run of the same schedule launched after the
     * version's own run: runs of two fires can finish out of order (two runners, a retried attempt), and the earlier
     * fire's version, trained on older data, would replace the newer one.
     */
    void requireNoLaterRunLive(Schedule schedule, TeamScope scope, UUID versionId) {
        @SuppressWarnings("unchecked")
        List<Object[]> later = schedules
                .getEntityManager()
                .createNativeQuery(
                        """
                        SELECT live.version, later.id FROM endpoints e
                        JOIN model_versions live ON live.id = e.live_version_id
                        JOIN runs later ON later.id = live.run_id
                        JOIN model_versions mine ON mine.id = ?1
                        JOIN runs earlier ON earlier.id = mine.run_id
                        WHERE e.team_id = ?2 AND e.name = ?3 AND later.schedule_id = ?4
                          AND later.created_at > earlier.created_at
                        """)
                .setParameter(1, versionId)
                .setParameter(2, scope.teamId())
                .setParameter(3, schedule.promoteTo)
                .setParameter(4, schedule.id)
                .getResultList();
        if (!later.isEmpty()) {
            throw new InvalidState("version " + later.get(0)[0] + " of a later run of schedule " + schedule.name + " ("
                    + later.get(0)[1] + ") is live on endpoint '" + schedule.promoteTo + "' already; a version of an"
                    + " earlier run does not replace it");
        }
    }
}
