package dev.canopy.scheduler.queue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The run queue in PostgreSQL. Claims take the best waiting run with {@code FOR UPDATE SKIP LOCKED}, so runners
 * never wait on each other, and lease it with an incremented attempt number that fences every later write.
 * Every method joins the caller's transaction (or runs in its own).
 */
@ApplicationScoped
public class RunQueue {

    private final QueueDatabase database;
    private final QueueConfig config;
    private final Reaper reaper;
    private final TeamQuotaCheck quotas = new TeamQuotaCheck();

    RunQueue(QueueDatabase database, QueueConfig config, Reaper reaper) {
        this.database = database;
        this.config = config;
        this.reaper = reaper;
    }

    /** Puts a run in the queue and wakes idle runners when the transaction commits. */
    @Transactional
    public void enqueue(QueuedRun run) {
        execute(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO run_queue (run_id, team_id, recipe, priority, gpus, state, max_attempts, enqueued_at)"
                            + " VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, now())")) {
                insert.setObject(1, run.runId());
                insert.setObject(2, run.teamId());
                insert.setString(3, run.recipe());
                insert.setInt(4, run.priority());
                insert.setInt(5, run.gpus());
                insert.setInt(6, run.maxAttempts());
                insert.executeUpdate();
            }
            notifyRunners(c);
            return null;
        });
    }

    /**
     * Leases the waiting run with the highest priority (oldest first) that fits the runner: its GPUs, its recipes,
     * its team, and the run's team's limits on concurrent runs and GPUs.
     */
    @Transactional
    public Optional<Lease> claim(ClaimRequest request) {
        return execute(c -> {
            // Per team at a limit: the GPUs one more of its runs may need (NO_RUN: none may start).
            Map<UUID, Integer> headroom = new HashMap<>();
            Set<UUID> locked = new HashSet<>();
            // Ends: a candidate that does not fit puts a team into the map, and a team in the map only offers
            // runs that fit (its usage cannot change meanwhile: this transaction holds the team's advisory lock).
            while (true) {
                Optional<Candidate> candidate = nextCandidate(c, request, headroom);
                if (candidate.isEmpty()) {
                    return Optional.empty();
                }
                int left = quotas.gpuHeadroom(c, candidate.get().teamId(), locked);
                if (candidate.get().gpus() <= left) {
                    return Optional.of(lease(c, candidate.get().runId(), request.workerId()));
                }
                // Its runs that need fewer GPUs may still start: a team at its GPU limit keeps its CPU runs going.
                // A team another claim is deciding on is passed over this time (see TeamQuotaCheck).
                headroom.put(candidate.get().teamId(), Math.max(left, TeamQuotaCheck.NO_RUN));
            }
        });
    }

    private record Candidate(UUID runId, UUID teamId, int gpus) {}

    private static Optional<Candidate> nextCandidate(Connection c, ClaimRequest request, Map<UUID, Integer> headroom)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                """
                SELECT run_id, team_id, gpus FROM run_queue q
                WHERE state = 'QUEUED' AND NOT cancel_requested AND gpus <= ? AND recipe = ANY(?)
                  AND (?::uuid IS NULL OR team_id = ?::uuid)
                  AND NOT EXISTS (SELECT 1 FROM unnest(?::uuid[], ?::int[]) AS limited(team_id, gpus)
                                  WHERE limited.team_id = q.team_id AND q.gpus > limited.gpus)
                ORDER BY priority DESC, enqueued_at, run_id
                LIMIT 1 FOR UPDATE SKIP LOCKED
                """)) {
            select.setInt(1, request.freeGpus());
            select.setArray(2, c.createArrayOf("varchar", request.recipes().toArray()));
            select.setObject(3, request.workerTeamId());
            select.setObject(4, request.workerTeamId());
            List<UUID> teams = new ArrayList<>(headroom.keySet());
            select.setArray(5, c.createArrayOf("uuid", teams.toArray()));
            select.setArray(
                    6,
                    c.createArrayOf("integer", teams.stream().map(headroom::get).toArray()));
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? Optional.of(new Candidate(
                                row.getObject(1, UUID.class), row.getObject(2, UUID.class), row.getInt(3)))
                        : Optional.empty();
            }
        }
    }

    private Lease lease(Connection c, UUID runId, UUID workerId) throws SQLException {
        // From the statement's time (clock_timestamp), not the transaction's start (now()): a claim that waited on a
        // team's lock, or a heartbeat on a run's row, would otherwise get a lease shortened by that wait.
        try (PreparedStatement update =
                c.prepareStatement("UPDATE run_queue SET state = 'LEASED', attempt = attempt + 1, worker_id = ?,"
                        + " lease_until = clock_timestamp() + ? * interval '1 millisecond', confirmed = false,"
                        + " lease_grace = false"
                        + " WHERE run_id = ?"
                        + " RETURNING run_id, team_id, attempt, lease_until, cancel_requested")) {
            update.setObject(1, workerId);
            update.setLong(2, config.lease().toMillis());
            update.setObject(3, runId);
            try (ResultSet row = update.executeQuery()) {
                row.next();
                return leaseOf(row);
            }
        }
    }

    /**
     * The lease of a run if {@code attempt} by {@code workerId} still holds it (locked against the reaper until the
     * caller's transaction ends); empty for a stale attempt. Locked FOR NO KEY UPDATE, not FOR SHARE: a completion or
     * a stop goes on to change or delete the row, and two share holders upgrading (a retried completion meeting the
     * first) deadlocked, one of them failing with a 500.
     */
    @Transactional
    public Optional<Lease> current(UUID runId, int attempt, UUID workerId) {
        return execute(c -> {
            try (PreparedStatement select =
                    c.prepareStatement("SELECT run_id, team_id, attempt, lease_until, cancel_requested FROM run_queue"
                            + " WHERE run_id = ? AND attempt = ? AND worker_id = ? AND state = 'LEASED'"
                            + " FOR NO KEY UPDATE")) {
                select.setObject(1, runId);
                select.setInt(2, attempt);
                select.setObject(3, workerId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(leaseOf(row)) : Optional.empty();
                }
            }
        });
    }

    /** Renews the leases a runner still holds and tells it which to cancel and which it has lost. */
    @Transactional
    public HeartbeatResult heartbeat(UUID workerId, List<HeldRun> runs) {
        return execute(c -> {
            List<UUID> renewed = new ArrayList<>();
            List<UUID> cancel = new ArrayList<>();
            List<UUID> lost = new ArrayList<>();
            try (PreparedStatement update =
                    c.prepareStatement("UPDATE run_queue SET lease_until = clock_timestamp() + ? * interval"
                            + " '1 millisecond',"
                            + " confirmed = true, lease_grace = false"
                            + " WHERE run_id = ? AND attempt = ? AND worker_id = ? AND state = 'LEASED'"
                            + " RETURNING cancel_requested")) {
                for (HeldRun run : runs) {
                    update.setLong(1, config.lease().toMillis());
                    update.setObject(2, run.runId());
                    update.setInt(3, run.attempt());
                    update.setObject(4, workerId);
                    try (ResultSet row = update.executeQuery()) {
                        if (!row.next()) {
                            lost.add(run.runId());
                        } else {
                            renewed.add(run.runId());
                            if (row.getBoolean(1)) {
                                cancel.add(run.runId());
                            }
                        }
                    }
                }
            }
            return new HeartbeatResult(renewed, cancel, lost);
        });
    }

    /**
     * Takes back every run the runner holds, as the reaper does with expired leases (requeued, or failed or killed),
     * and records the outcomes: for a runner whose token no longer works when a new token takes its name.
     */
    @Transactional
    public List<Reaped> takeBackRunsOf(UUID workerId) {
        return reaper.reapRunsOf(workerId);
    }

    /** Gives a leased run back to the queue at once (a draining runner); the next claim continues it. */
    @Transactional
    public boolean release(UUID runId, int attempt, UUID workerId) {
        return execute(c -> {
            try (PreparedStatement update =
                    c.prepareStatement("UPDATE run_queue SET state = 'QUEUED', worker_id = NULL, lease_until = NULL"
                            + " WHERE run_id = ? AND attempt = ? AND worker_id = ? AND state = 'LEASED'")) {
                update.setObject(1, runId);
                update.setInt(2, attempt);
                update.setObject(3, workerId);
                boolean released = update.executeUpdate() == 1;
                if (released) {
                    notifyRunners(c);
                }
                return released;
            }
        });
    }

    /**
     * Takes a run out of the queue for good (it finished, failed or was killed). A leased run frees its team's slot
     * and GPUs: waiting claims are woken when runs wait that a team limit may have held back.
     */
    @Transactional
    public void remove(UUID runId) {
        execute(c -> {
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM run_queue WHERE run_id = ? RETURNING state = 'LEASED'"
                            + " AND EXISTS (SELECT 1 FROM run_queue WHERE state = 'QUEUED')")) {
                delete.setObject(1, runId);
                try (ResultSet row = delete.executeQuery()) {
                    if (row.next() && row.getBoolean(1)) {
                        notifyRunners(c);
                    }
                }
            }
            return null;
        });
    }

    /**
     * Removes a waiting run, or flags a leased one so that its runner stops at the next heartbeat. The run's queue
     * row stays locked until the caller's transaction ends: a completion, a release or a reaper that got there first
     * has committed by then, and one that comes later sees the outcome.
     */
    @Transactional
    public CancelOutcome requestCancel(UUID runId) {
        return execute(c -> {
            String state;
            try (PreparedStatement select =
                    c.prepareStatement("SELECT state FROM run_queue WHERE run_id = ? FOR UPDATE")) {
                select.setObject(1, runId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return CancelOutcome.NOT_QUEUED;
                    }
                    state = row.getString(1);
                }
            }
            boolean waiting = "QUEUED".equals(state);
            try (PreparedStatement change = c.prepareStatement(
                    waiting
                            ? "DELETE FROM run_queue WHERE run_id = ?"
                            : "UPDATE run_queue SET cancel_requested = true WHERE run_id = ?")) {
                change.setObject(1, runId);
                change.executeUpdate();
            }
            return waiting ? CancelOutcome.REMOVED : CancelOutcome.SIGNALLED;
        });
    }

    private static Lease leaseOf(ResultSet row) throws SQLException {
        return new Lease(
                row.getObject(1, UUID.class),
                row.getObject(2, UUID.class),
                row.getInt(3),
                row.getTimestamp(4).toInstant(),
                row.getBoolean(5));
    }

    private static void notifyRunners(Connection c) throws SQLException {
        QueueDatabase.notifyRunners(c);
    }

    private <T> T execute(QueueDatabase.Work<T> work) {
        return database.execute(work);
    }
}
