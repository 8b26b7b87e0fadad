package dev.canopy.scheduler.queue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the queue holds, for people: a team's queue in claim order, and the runs runners hold. */
@ApplicationScoped
public class QueueListing {

    private final QueueDatabase database;

    QueueListing(QueueDatabase database) {
        this.database = database;
    }

    /** The runs each runner holds now. */
    @Transactional
    public Map<UUID, List<UUID>> leasesByWorker() {
        return database.execute(c -> {
            Map<UUID, List<UUID>> leases = new HashMap<>();
            try (PreparedStatement select = c.prepareStatement(
                            "SELECT worker_id, run_id FROM run_queue WHERE state = 'LEASED' ORDER BY run_id");
                    ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    leases.computeIfAbsent(row.getObject(1, UUID.class), w -> new ArrayList<>())
                            .add(row.getObject(2, UUID.class));
                }
            }
            return leases;
        });
    }

    /** The team of every leased run. */
    @Transactional
    public Map<UUID, UUID> teamsOfLeasedRuns() {
        return database.execute(c -> {
            Map<UUID, UUID> teams = new HashMap<>();
            try (PreparedStatement select =
                            c.prepareStatement("SELECT run_id, team_id FROM run_queue WHERE state = 'LEASED'");
                    ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    teams.put(row.getObject(1, UUID.class), row.getObject(2, UUID.class));
                }
            }
            return teams;
        });
    }

    /**
     * A page of one team's queue: leased runs first, then waiting runs in the order they will be claimed.
     *
     * @param offset how many entries of the whole listing to pass over
     * @param limit the most entries to return
     */
    @Transactional
    public List<QueueEntry> entries(UUID teamId, long offset, int limit) {
        return database.execute(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    """
                    SELECT run_id, state, CASE WHEN state = 'QUEUED' THEN row_number() OVER (
                               PARTITION BY state ORDER BY priority DESC, enqueued_at, run_id) END,
                           priority, gpus, attempt, worker_id, enqueued_at
                    FROM run_queue WHERE team_id = ? ORDER BY state, priority DESC, enqueued_at, run_id
                    OFFSET ? LIMIT ?
                    """)) {
                select.setObject(1, teamId);
                select.setLong(2, offset);
                select.setInt(3, limit);
                List<QueueEntry> entries = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        entries.add(new QueueEntry(
                                row.getObject(1, UUID.class),
                                row.getString(2),
                                row.getObject(3) == null ? null : row.getInt(3),
                                row.getInt(4),
                                row.getInt(5),
                                row.getInt(6),
                                row.getObject(7, UUID.class),
                                row.getTimestamp(8).toInstant()));
                    }
                }
                return entries;
            }
        });
    }
}
