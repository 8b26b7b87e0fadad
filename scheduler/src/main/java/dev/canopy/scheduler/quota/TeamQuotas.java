package dev.canopy.scheduler.quota;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.UUID;

/** Per-team limits the queue enforces at claim time (see the queue's quota check). */
@ApplicationScoped
public class TeamQuotas {

    private final AgroalDataSource dataSource;

    TeamQuotas(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Transactional
    public TeamQuota get(UUID teamId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT max_concurrent_runs, max_gpus FROM team_quotas WHERE team_id = ?")) {
            select.setObject(1, teamId);
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? new TeamQuota((Integer) row.getObject(1), (Integer) row.getObject(2))
                        : new TeamQuota(null, null);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the quota of team " + teamId, e);
        }
    }

    @Transactional
    public void set(UUID teamId, TeamQuota quota) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement upsert = c.prepareStatement(
                        "INSERT INTO team_quotas (team_id, max_concurrent_runs, max_gpus) VALUES (?, ?, ?)"
                                + " ON CONFLICT (team_id) DO UPDATE SET max_concurrent_runs = EXCLUDED.max_concurrent_runs,"
                                + " max_gpus = EXCLUDED.max_gpus")) {
            upsert.setObject(1, teamId);
            setNullable(upsert, 2, quota.maxConcurrentRuns());
            setNullable(upsert, 3, quota.maxGpus());
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not set the quota of team " + teamId, e);
        }
    }

    private static void setNullable(PreparedStatement statement, int index, Integer value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setInt(index, value);
        }
    }
}
