package dev.canopy.scheduler.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.UUID;

/**
 * How many GPUs a team may still take with one more run. Claims for one team with limits take a
 * transaction-scoped advisory lock on the team first, so two runners claiming at once cannot both squeeze under
 * the same limit. A claim waits for the first team's lock it needs only: holding one, it does not wait for another
 * (it passes that team over this time), as two claims that each held one team's lock and waited for the other's
 * would deadlock (each walks the queue in its own order, skipping rows the other has locked).
 */
final class TeamQuotaCheck {

    /** No run may start: the team holds as many runs as it may. */
    static final int NO_RUN = -1;

    /** Another claim holds the team's lock, and this one holds another team's: the team is passed over this time. */
    static final int BUSY = -2;

    /**
     * The most GPUs one more run of the team may need: {@link Integer#MAX_VALUE} without a GPU limit,
     * {@link #NO_RUN} when the team is at its limit of concurrent runs, {@link #BUSY} when {@code locked} (the teams
     * whose locks this transaction holds, added to here) is not empty and another claim holds this team's.
     */
    int gpuHeadroom(Connection c, UUID teamId, Set<UUID> locked) throws SQLException {
        Integer maxRuns;
        Integer maxGpus;
        try (PreparedStatement select =
                c.prepareStatement("SELECT max_concurrent_runs, max_gpus FROM team_quotas WHERE team_id = ?")) {
            select.setObject(1, teamId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Integer.MAX_VALUE;
                }
                maxRuns = (Integer) row.getObject(1);
                maxGpus = (Integer) row.getObject(2);
            }
        }
        if (maxRuns == null && maxGpus == null) {
            return Integer.MAX_VALUE;
        }
        if (!locked.contains(teamId)) {
            boolean mayWait = locked.isEmpty();
            try (PreparedStatement lock = c.prepareStatement(
                    mayWait
                            ? "SELECT true FROM pg_advisory_xact_lock(hashtextextended(?, 0))"
                            : "SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, "canopy-quota-" + teamId);
                try (ResultSet row = lock.executeQuery()) {
                    row.next();
                    if (!row.getBoolean(1)) {
                        return BUSY;
                    }
                }
            }
            locked.add(teamId);
        }
        try (PreparedStatement usage = c.prepareStatement(
                "SELECT count(*), coalesce(sum(gpus), 0) FROM run_queue WHERE team_id = ? AND state = 'LEASED'")) {
            usage.setObject(1, teamId);
            try (ResultSet row = usage.executeQuery()) {
                row.next();
                if (maxRuns != null && row.getLong(1) >= maxRuns) {
                    return NO_RUN;
                }
                return maxGpus == null ? Integer.MAX_VALUE : (int) Math.max(NO_RUN, maxGpus - row.getLong(2));
            }
        }
    }
}
