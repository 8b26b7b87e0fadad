package dev.canopy.api.schedule;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The versions scheduled runs registered that wait for their schedule's promotion (table {@code
 * schedule_promotions}). A row is written with the run's end and deleted once the promotion is decided. The control
 * plane deciding it holds it: its lease ({@code canopy.schedules.promotion-lease}) is renewed every quarter of it
 * until then. A row whose lease ran out (its control plane stopped, or was cut off from the database) is taken up by
 * the next sweep of any control plane, and the one that held it renews it no more, nor deletes it.
 */
@ApplicationScoped
class PendingPromotions {

    /** How many abandoned promotions one sweep takes. */
    private static final int TAKEN_PER_SWEEP = 20;

    /** @param attempts how many times it was taken, this time included */
    record Pending(UUID versionId, UUID scheduleId, UUID runId, int attempts) {}

    @Inject
    EntityManager entityManager;

    @Inject
    ScheduleConfig config;

    /** This process, as the holder of the rows it takes. */
    private final UUID self = UUID.randomUUID();

    /** Held by this process: their leases are renewed until they are decided or released. */
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();

    /**
     * Adds the version of a run a schedule launched, in the caller's transaction (the one that ends the run), unless
     * the schedule promotes nothing or is gone; the schedule is locked against deletion meanwhile. Its lease starts
     * now: the caller holds it once the transaction commits.
     */
    void add(Pending pending) {
        entityManager
                .createNativeQuery("WITH promoting AS (SELECT id FROM schedules WHERE id = ?2 AND promote_to IS NOT"
                        + " NULL FOR KEY SHARE) INSERT INTO schedule_promotions (model_version_id, schedule_id,"
                        + " run_id, taken_by, taken_until) SELECT ?1, id, ?3, ?4, now() + make_interval(secs => ?5)"
                        + " FROM promoting ON CONFLICT (model_version_id) DO NOTHING")
                .setParameter(1, pending.versionId())
                .setParameter(2, pending.scheduleId())
                .setParameter(3, pending.runId())
                .setParameter(4, self)
                .setParameter(5, leaseSeconds())
                .executeUpdate();
    }

    /** Whether this process holds the promotion (renews its lease) now. */
    boolean holds(UUID versionId) {
        return held.contains(versionId);
    }

    /** This process decides the promotion: its lease is renewed until it is {@link #decided} or released. */
    void hold(UUID versionId) {
        held.add(versionId);
    }

    /**
     * Stops renewing the lease of a promotion this process did not decide (an internal error), or could not record
     * as decided: once the lease runs out, a sweep takes it up again.
     */
    void release(UUID versionId) {
        held.remove(versionId);
    }

    /**
     * The promotion was decided (promoted, refused, or found impossible): nobody takes it again. Unless another
     * control plane took it meanwhile (this one's lease ran out): then that one decides.
     */
    void decided(UUID versionId) {
        QuarkusTransaction.requiringNew().run(() -> entityManager
                .createNativeQuery("DELETE FROM schedule_promotions WHERE model_version_id = ?1 AND taken_by = ?2")
                .setParameter(1, versionId)
                .setParameter(2, self)
                .executeUpdate());
        held.remove(versionId);
    }

    /** Another control plane took the promotion up (this one's lease ran out while it decided): that one decides. */
    static final class TakenOver extends RuntimeException {
        TakenOver(UUID versionId) {
            super(
                    "the promotion of version " + versionId + " was taken up by another control plane",
                    null,
                    false,
                    false);
        }
    }

    /**
     * In the caller's transaction, where the promotion would commit: this process still holds it (locked against
     * being taken until the transaction ends).
     *
     * @throws TakenOver when another control plane took it up
     */
    void requireHeld(UUID versionId) {
        boolean mine = !entityManager
                .createNativeQuery("SELECT 1 FROM schedule_promotions WHERE model_version_id = ?1 AND taken_by = ?2"
                        + " FOR SHARE")
                .setParameter(1, versionId)
                .setParameter(2, self)
                .getResultList()
                .isEmpty();
        if (!mine) {
            throw new TakenOver(versionId);
        }
    }

    /**
     * Renews the leases of the promotions this process holds, in a transaction of its own; one another control plane
     * took meanwhile is held no more.
     */
    @SuppressWarnings("unchecked")
    void renewHeld() {
        List<UUID> renewing = List.copyOf(held);
        if (renewing.isEmpty()) {
            return;
        }
        List<UUID> renewed = QuarkusTransaction.requiringNew().call(() -> entityManager
                .createNativeQuery("UPDATE schedule_promotions SET taken_until = now() + make_interval(secs"
                        + " => ?1) WHERE model_version_id IN (?2) AND taken_by = ?3 RETURNING"
                        + " model_version_id")
                .setParameter(1, leaseSeconds())
                .setParameter(2, renewing)
                .setParameter(3, self)
                .getResultList());
        renewing.stream().filter(id -> !renewed.contains(id)).forEach(held::remove);
    }

    /**
     * Takes and holds promotions whose lease ran out, oldest first; two control planes sweeping at once take
     * different rows. In a transaction of its own.
     */
    @SuppressWarnings("unchecked")
    List<Pending> takeAbandoned() {
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> entityManager
                .createNativeQuery("UPDATE schedule_promotions SET taken_by = ?1, taken_until = now() +"
                        + " make_interval(secs => ?2), attempts = attempts + 1 WHERE model_version_id IN"
                        + " (SELECT model_version_id FROM schedule_promotions WHERE taken_until <= now()"
                        + " ORDER BY taken_until LIMIT ?3 FOR UPDATE SKIP LOCKED) RETURNING"
                        + " model_version_id, schedule_id, run_id, attempts")
                .setParameter(1, self)
                .setParameter(2, leaseSeconds())
                .setParameter(3, TAKEN_PER_SWEEP)
                .getResultList());
        List<Pending> taken = rows.stream()
                .map(r -> new Pending((UUID) r[0], (UUID) r[1], (UUID) r[2], ((Number) r[3]).intValue()))
                .toList();
        taken.forEach(p -> held.add(p.versionId()));
        return taken;
    }

    private double leaseSeconds() {
        return config.promotionLease().toMillis() / 1000.0;
    }
}
