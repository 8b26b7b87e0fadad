package dev.canopy.api.carbon;

import dev.canopy.api.carbon.CarbonRecords.IntervalView;
import dev.canopy.api.carbon.CarbonRecords.RunCarbon;
import dev.canopy.api.carbon.CarbonRecords.RunEnergyLedger;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads a run's charged intervals back (at most {@link #MAX_INTERVALS}, oldest first). */
@ApplicationScoped
class RunEnergyLedgers {

    static final int MAX_INTERVALS = 100_000;

    private static final String INTERVALS =
            """
            SELECT m.attempt, i.component, i.device, i.method, i.started_at, i.ended_at, i.joules, i.pue, i.zone,
                   i.g_co2e_per_kwh, i.intensity_source, i.intensity_year, i.intensity_at, i.intensity_method,
                   i.intensity_fallback, i.intensity_note, i.kg_co2e
            FROM energy_intervals i JOIN energy_meters m ON m.id = i.meter_id
            WHERE i.run_id = ? AND i.team_id = ?
            ORDER BY i.started_at, i.id
            LIMIT ?
            """;

    @Inject
    TeamAccess access;

    @Inject
    CarbonService carbon;

    @Inject
    AgroalDataSource dataSource;

    RunEnergyLedger of(String team, UUID runId) {
        TeamScope scope = access.read(team);
        try (Connection c = dataSource.getConnection()) {
            if (!exists(c, scope.teamId(), runId)) {
                throw new NotFound("run", runId);
            }
            RunCarbon totals = carbon.ofRuns(List.of(runId)).get(runId);
            return new RunEnergyLedger(
                    runId,
                    totals == null ? null : totals.energy(),
                    totals == null ? null : totals.emissions(),
                    intervals(c, scope.teamId(), runId));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the energy ledger of run " + runId, e);
        }
    }

    private static boolean exists(Connection c, UUID team, UUID run) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM runs WHERE id = ? AND team_id = ?")) {
            select.setObject(1, run);
            select.setObject(2, team);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    private static List<IntervalView> intervals(Connection c, UUID team, UUID run) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(INTERVALS)) {
            select.setObject(1, run);
            select.setObject(2, team);
            select.setInt(3, MAX_INTERVALS);
            List<IntervalView> intervals = new ArrayList<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    int device = row.getInt(3);
                    int year = row.getInt(12);
                    Integer yearOrNull = row.wasNull() ? null : year;
                    intervals.add(new IntervalView(
                            row.getInt(1),
                            row.getString(2),
                            device < 0 ? null : device,
                            row.getString(4),
                            RunEnergyQueries.instant(row, 5),
                            RunEnergyQueries.instant(row, 6),
                            Emissions.kwh(row.getDouble(7)),
                            row.getDouble(8),
                            new Intensity(
                                    row.getString(9),
                                    row.getDouble(10),
                                    row.getString(11),
                                    yearOrNull,
                                    RunEnergyQueries.instant(row, 13),
                                    row.getString(14),
                                    row.getBoolean(15),
                                    row.getString(16)),
                            row.getDouble(17)));
                }
            }
            return intervals;
        }
    }
}
