package dev.canopy.api.carbon;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads the energy of runs back, per component, per attempt and per intensity applied, in three queries. */
@ApplicationScoped
class RunEnergyQueries {

    @Inject
    AgroalDataSource dataSource;

    record ComponentRow(String component, int device, String method, String deviceName, String detail, Double joules) {}

    record AttemptRow(
            int attempt, String worker, String zone, double pue, double joules, double seconds, boolean closed) {}

    /** One intensity applied to part of a run's energy. */
    record IntensityRow(
            Intensity intensity,
            Instant firstPoint,
            Instant lastPoint,
            double joules,
            double facilityJoules,
            double kgCo2e) {}

    record RunRows(List<ComponentRow> components, List<AttemptRow> attempts, List<IntensityRow> intensities) {}

    private static final String COMPONENTS =
            """
            SELECT m.run_id, c.component, c.device, c.method, c.device_name, max(c.detail), sum(c.joules)
            FROM energy_components c JOIN energy_meters m ON m.id = c.meter_id
            WHERE m.run_id = ANY (?)
            GROUP BY m.run_id, c.component, c.device, c.method, c.device_name
            ORDER BY m.run_id, CASE c.component WHEN 'GPU' THEN 0 WHEN 'CPU' THEN 1 ELSE 2 END, c.device, c.method,
                c.device_name
            """;

    private static final String ATTEMPTS =
            """
            SELECT m.run_id, m.attempt, m.worker_name, m.zone, m.pue, m.seconds, m.final,
                   (SELECT coalesce(sum(c.joules), 0) FROM energy_components c WHERE c.meter_id = m.id)
            FROM energy_meters m WHERE m.run_id = ANY (?) ORDER BY m.run_id, m.attempt
            """;

    private static final String INTENSITIES =
            """
            SELECT run_id, zone, g_co2e_per_kwh, intensity_source, intensity_year, intensity_method,
                   intensity_fallback, max(intensity_note), min(intensity_at), max(intensity_at), sum(joules),
                   sum(joules * pue), sum(kg_co2e)
            FROM energy_intervals WHERE run_id = ANY (?)
            GROUP BY run_id, zone, g_co2e_per_kwh, intensity_source, intensity_year, intensity_method,
                     intensity_fallback
            ORDER BY run_id, sum(joules) DESC
            """;

    Map<UUID, RunRows> of(Collection<UUID> runIds) {
        Map<UUID, RunRows> rows = new HashMap<>();
        if (runIds.isEmpty()) {
            return rows;
        }
        try (Connection c = dataSource.getConnection()) {
            Array ids = c.createArrayOf("uuid", runIds.toArray());
            query(c, COMPONENTS, ids, row -> rowsOf(rows, row)
                    .components()
                    .add(new ComponentRow(
                            row.getString(2),
                            row.getInt(3),
                            row.getString(4),
                            row.getString(5),
                            row.getString(6),
                            nullableDouble(row, 7))));
            query(c, ATTEMPTS, ids, row -> rowsOf(rows, row)
                    .attempts()
                    .add(new AttemptRow(
                            row.getInt(2),
                            row.getString(3),
                            row.getString(4),
                            row.getDouble(5),
                            row.getDouble(8),
                            row.getDouble(6),
                            row.getBoolean(7))));
            query(c, INTENSITIES, ids, row -> rowsOf(rows, row).intensities().add(intensityRow(row)));
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the energy of runs", e);
        }
    }

    private static IntensityRow intensityRow(ResultSet row) throws SQLException {
        int year = row.getInt(5);
        Integer yearOrNull = row.wasNull() ? null : year;
        Instant first = instant(row, 9);
        Instant last = instant(row, 10);
        Intensity intensity = new Intensity(
                row.getString(2),
                row.getDouble(3),
                row.getString(4),
                yearOrNull,
                first != null && first.equals(last) ? first : null,
                row.getString(6),
                row.getBoolean(7),
                row.getString(8));
        return new IntensityRow(intensity, first, last, row.getDouble(11), row.getDouble(12), row.getDouble(13));
    }

    interface RowReader {
        void read(ResultSet row) throws SQLException;
    }

    static void query(Connection c, String sql, Array ids, RowReader reader) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setArray(1, ids);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    reader.read(row);
                }
            }
        }
    }

    private static RunRows rowsOf(Map<UUID, RunRows> rows, ResultSet row) throws SQLException {
        return rows.computeIfAbsent(
                row.getObject(1, UUID.class),
                id -> new RunRows(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
    }

    static Double nullableDouble(ResultSet row, int column) throws SQLException {
        double value = row.getDouble(column);
        return row.wasNull() ? null : value;
    }

    static Instant instant(ResultSet row, int column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
