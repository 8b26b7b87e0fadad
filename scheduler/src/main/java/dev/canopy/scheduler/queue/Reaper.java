package dev.canopy.scheduler.queue;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Every few seconds, on one control plane of the cluster (a clustered Quartz job), hands runs whose runner went
 * silent back to the queue, or fails or kills them; the platform records the outcome in the same transaction.
 */
@ApplicationScoped
class Reaper {

    @Inject
    QueueDatabase database;

    @Inject
    RunLifecycle lifecycle;

    @Inject
    QueueConfig config;

    /** When this control plane started reaping ({@link System#nanoTime()}). */
    private final long startedNanos = System.nanoTime();

    @Scheduled(
            identity = "canopy-run-reaper",
            every = "${canopy.queue.reaper-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    @Transactional
    void reap() {
        resumeAfterPause();
        if (System.nanoTime() - startedNanos < config.lease().toNanos()) {
            // Just started (restarted, say): the runners' heartbeats failed while no control plane was up, and their
            // leases may have run out meanwhile. They get one lease to heartbeat again before any is reaped.
            return;
        }
        List<Reaped> reaped = reapExpired();
        if (!reaped.isEmpty()) {
            reaped.forEach(r -> Log.infof(
                    r.unconfirmed()
                            ? "Run %s attempt %d was never confirmed by its runner (the claim's answer was likely"
                                    + " lost): %s, at no cost"
                            : "Run %s attempt %d lost its runner: %s",
                    r.runId(),
                    r.attempt(),
                    r.outcome()));
            lifecycle.reaped(reaped);
        }
    }

    /** Passes missed in a row (by the cluster's clock) after which reaping counts as having stopped. */
    static final int PASSES_MISSED = 3;

    /**
     * Records this pass on the cluster's reaper clock. When the previous pass (on any control plane) is more than
     * {@link #PASSES_MISSED} intervals old, reaping had stopped: the database, or every control plane, was down, and
     * the runners' heartbeats failed all that time. Every lease then gets one lease from now for its runner to
     * heartbeat again (a runner that died meanwhile is reaped a lease later), once until a heartbeat renews it.
     * Without this, an outage longer than a lease cost every running run an attempt, and its runner its work since
     * the last checkpoint.
     */
    void resumeAfterPause() {
        database.execute(c -> {
            Timestamp last = null;
            Timestamp now = null;
            try (PreparedStatement clock =
                            c.prepareStatement("SELECT last_pass, now() FROM reaper_clock WHERE id = 1 FOR UPDATE");
                    ResultSet row = clock.executeQuery()) {
                if (row.next()) {
                    last = row.getTimestamp(1);
                    now = row.getTimestamp(2);
                }
            }
            try (PreparedStatement pass = c.prepareStatement("INSERT INTO reaper_clock (id, last_pass)"
                    + " VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET last_pass = now()")) {
                pass.executeUpdate();
            }
            Duration since = last == null ? null : Duration.between(last.toInstant(), now.toInstant());
            if (since != null && since.compareTo(config.reaperEvery().multipliedBy(PASSES_MISSED)) <= 0) {
                return null;
            }
            // Once per lease until its runner is heard again: passes that keep finding the clock old (a control
            // plane started with a shorter reaper-every than the cluster's schedule) must not keep dead runners'
            // leases for ever.
            try (PreparedStatement extend = c.prepareStatement("UPDATE run_queue SET lease_until = now() + ? * interval"
                    + " '1 millisecond', lease_grace = true WHERE state = 'LEASED' AND NOT lease_grace"
                    + " AND lease_until < now() + ? * interval '1 millisecond'")) {
                extend.setLong(1, config.lease().toMillis());
                extend.setLong(2, config.lease().toMillis());
                int leases = extend.executeUpdate();
                if (leases > 0) {
                    Log.warnf(
                            "Reaping resumed after %s without a pass (the database or every control plane was down):"
                                    + " %d leases get %d ms more for their runners to heartbeat again",
                            since == null ? "an unknown time" : since.toSeconds() + " s",
                            leases,
                            config.lease().toMillis());
                }
            }
            return null;
        });
    }

    /**
     * Leases that expired before any heartbeat confirmed them a run may lose at no cost: their claim's answer most
     * likely never reached the runner. Past these, such leases count as lost runners too (a run whose runners keep
     * dying before their first heartbeat).
     */
    static final int FREE_UNCONFIRMED_LEASES = 3;

    /**
     * Acts on leases that expired (their runner stopped heartbeating): back to the queue until the run has lost
     * {@code max_attempts} runners (attempts a draining runner gave back, and the first {@link
     * #FREE_UNCONFIRMED_LEASES} leases no heartbeat confirmed, do not count), then failed; killed if a cancel had been
     * asked for. Concurrent reapers skip each other's rows.
     */
    List<Reaped> reapExpired() {
        return reap(
                "SELECT run_id, attempt, lost_leases, max_attempts, cancel_requested, confirmed, unconfirmed_leases"
                        + " FROM run_queue WHERE state = 'LEASED' AND lease_until < now() FOR UPDATE SKIP LOCKED",
                null);
    }

    /**
     * Acts on every lease the runner holds as if it had expired, at once (by the same rules, unconfirmed leases too),
     * and records the outcomes: its token no longer works and a new token takes its name, which must not inherit the
     * runs (their data, their results).
     */
    @Transactional
    List<Reaped> reapRunsOf(UUID workerId) {
        List<Reaped> reaped = reap(
                "SELECT run_id, attempt, lost_leases, max_attempts, cancel_requested, confirmed, unconfirmed_leases"
                        + " FROM run_queue WHERE state = 'LEASED' AND worker_id = ? FOR UPDATE",
                workerId);
        if (!reaped.isEmpty()) {
            reaped.forEach(r -> Log.infof(
                    "Run %s attempt %d taken from runner %s, whose token no longer works: %s",
                    r.runId(), r.attempt(), workerId, r.outcome()));
            lifecycle.reaped(reaped);
        }
        return reaped;
    }

    private List<Reaped> reap(String select, UUID workerId) {
        return database.execute(c -> {
            List<Reaped> reaped = new ArrayList<>();
            try (PreparedStatement leases = c.prepareStatement(select)) {
                if (workerId != null) {
                    leases.setObject(1, workerId);
                }
                try (ResultSet row = leases.executeQuery()) {
                    while (row.next()) {
                        boolean free = !row.getBoolean(6) && row.getInt(7) < FREE_UNCONFIRMED_LEASES;
                        int lost = row.getInt(3) + (free ? 0 : 1);
                        Reaped.Outcome outcome = row.getBoolean(5)
                                ? Reaped.Outcome.KILLED
                                : lost >= row.getInt(4) ? Reaped.Outcome.FAILED : Reaped.Outcome.REQUEUED;
                        reaped.add(new Reaped(row.getObject(1, UUID.class), row.getInt(2), lost, outcome, free));
                    }
                }
            }
            for (Reaped r : reaped) {
                String sql = r.outcome() != Reaped.Outcome.REQUEUED
                        ? "DELETE FROM run_queue WHERE run_id = ?"
                        : r.unconfirmed()
                                ? "UPDATE run_queue SET state = 'QUEUED', worker_id = NULL, lease_until = NULL,"
                                        + " unconfirmed_leases = unconfirmed_leases + 1 WHERE run_id = ?"
                                : "UPDATE run_queue SET state = 'QUEUED', worker_id = NULL, lease_until = NULL,"
                                        + " lost_leases = lost_leases + 1 WHERE run_id = ?";
                try (PreparedStatement update = c.prepareStatement(sql)) {
                    update.setObject(1, r.runId());
                    update.executeUpdate();
                }
            }
            if (!reaped.isEmpty()) {
                // A requeued run to claim, or a failed or killed one's team slot and GPUs freed.
                QueueDatabase.notifyRunners(c);
            }
            return reaped;
        });
    }
}
