package dev.canopy.scheduler.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Whether a team may start one more run needing {@code gpus} GPUs. Claims for one team with limits take a
 * transaction-scoped advisory lock on the team first, so two runners claiming at once cannot both squeeze under
 * the same limit.
 */
final class TeamQuotaCheck {

    boolean admits(Connection c, UUID teamId, int gpus) throws SQLException {
        Integer maxRuns;
        Integer maxGpus;
        try (PreparedStatement select =
                c.prepareStatement("SELECT max_concurrent_runs, max_gpus FROM team_quotas WHERE team_id = ?")) {
            select.setObject(1, teamId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return true;
                }
                maxRuns = (Integer) row.getObject(1);
                maxGpus = (Integer) row.getObject(2);
            }
        }
        if (maxRuns == null && maxGpus == null) {
            return true;
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "canopy-quota-" + teamId);
            lock.execute();
        }
        try (PreparedStatement usage = c.prepareStatement(
                "SELECT count(*), coalesce(sum(gpus), 0) FROM run_queue WHERE team_id = ? AND state = 'LEASED'")) {
            usage.setObject(1, teamId);
            try (ResultSet row = usage.executeQuery()) {
                row.next();
                boolean runsOk = maxRuns == null || row.getLong(1) < maxRuns;
                boolean gpusOk = maxGpus == null || row.getLong(2) + gpus <= maxGpus;
                return runsOk && gpusOk;
            }
        }
    }
}
