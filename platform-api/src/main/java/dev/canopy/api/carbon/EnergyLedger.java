package dev.canopy.api.carbon;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL of energy accounting, on the caller's transaction: meters (locked while a reading is applied, so that
 * a heartbeat and an epoch report of the same run never both count the same joules), their cumulative components,
 * and the intervals that carry energy through time.
 */
@ApplicationScoped
class EnergyLedger {

    @Inject
    AgroalDataSource dataSource;

    /** The meter's state when a reading arrives. */
    record Meter(
            UUID id,
            UUID teamId,
            UUID runId,
            UUID workerId,
            String zone,
            double pue,
            double seconds,
            Instant reportedAt,
            boolean closed) {}

    record ComponentKey(String component, int device, String method) {}

    record Interval(ComponentKey key, Instant from, Instant to, double joules, Intensity intensity) {}

    /** What a new meter is for. {@code runId} null: a worker's idle time in runner session {@code session}. */
    record NewMeter(
            UUID teamId,
            UUID runId,
            Integer attempt,
            UUID workerId,
            String workerName,
            UUID session,
            String zone,
            double pue,
            Instant startedAt) {}

    /** The meter of a run attempt or an idle session, created on its first reading, locked until commit. */
    Meter lock(NewMeter meter) {
        String insert =
                """
                INSERT INTO energy_meters (id, kind, team_id, run_id, attempt, worker_id, worker_name, session, zone, pue,
                                           reported_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """;
        String select = meter.runId() != null
                ? "SELECT * FROM energy_meters WHERE run_id = ? AND attempt = ? FOR UPDATE"
                : "SELECT * FROM energy_meters WHERE worker_id = ? AND session = ? FOR UPDATE";
        try (Connection c = dataSource.getConnection();
                PreparedStatement create = c.prepareStatement(insert);
                PreparedStatement find = c.prepareStatement(select)) {
            create.setObject(1, UUID.randomUUID());
            create.setString(2, meter.runId() != null ? "RUN" : "IDLE");
            create.setObject(3, meter.teamId());
            create.setObject(4, meter.runId());
            create.setObject(5, meter.attempt(), Types.INTEGER);
            create.setObject(6, meter.workerId());
            create.setString(7, meter.workerName());
            create.setObject(8, meter.session());
            create.setString(9, meter.zone());
            create.setDouble(10, meter.pue());
            create.setObject(11, utc(meter.startedAt()));
            create.executeUpdate();
            find.setObject(1, meter.runId() != null ? meter.runId() : meter.workerId());
            find.setObject(2, meter.runId() != null ? meter.attempt() : meter.session());
            try (ResultSet row = find.executeQuery()) {
                row.next();
                return new Meter(
                        row.getObject("id", UUID.class),
                        row.getObject("team_id", UUID.class),
                        row.getObject("run_id", UUID.class),
                        row.getObject("worker_id", UUID.class),
                        row.getString("zone"),
                        row.getDouble("pue"),
                        row.getDouble("seconds"),
                        row.getObject("reported_at", OffsetDateTime.class).toInstant(),
                        row.getBoolean("final"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not open the energy meter of " + meter, e);
        }
    }

    /** The cumulative joules stored per component of a meter (null: unmeasured). */
    Map<ComponentKey, Double> components(UUID meterId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select = c.prepareStatement(
                        "SELECT component, device, method, joules FROM energy_components WHERE meter_id = ?")) {
            select.setObject(1, meterId);
            Map<ComponentKey, Double> components = new HashMap<>();
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    // wasNull speaks of the column read last: read joules last.
                    ComponentKey key = new ComponentKey(row.getString(1), row.getInt(2), row.getString(3));
                    double joules = row.getDouble(4);
                    components.put(key, row.wasNull() ? null : joules);
                }
            }
            return components;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the energy of meter " + meterId, e);
        }
    }

    void putComponent(UUID meterId, ComponentKey key, String deviceName, String detail, Double joules) {
        String upsert =
                """
                INSERT INTO energy_components (meter_id, component, device, method, device_name, detail, joules)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (meter_id, component, device, method) DO UPDATE
                SET device_name = EXCLUDED.device_name, detail = EXCLUDED.detail, joules = EXCLUDED.joules
                """;
        try (Connection c = dataSource.getConnection();
                PreparedStatement put = c.prepareStatement(upsert)) {
            put.setObject(1, meterId);
            put.setString(2, key.component());
            put.setInt(3, key.device());
            put.setString(4, key.method());
            put.setString(5, deviceName);
            put.setString(6, detail);
            put.setObject(7, joules, Types.DOUBLE);
            put.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store the energy of meter " + meterId, e);
        }
    }

    /**
     * Charges each interval, extending the component's latest interval when that one is in the same UTC hour with
     * the same intensity (time between them had no energy: a repeated reading).
     */
    void addIntervals(Meter meter, List<Interval> intervals) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement extend = c.prepareStatement(EXTEND);
                PreparedStatement add = c.prepareStatement(INSERT)) {
            for (Interval interval : intervals) {
                double kg = Emissions.kgCo2e(
                        interval.joules(), meter.pue(), interval.intensity().gCo2ePerKwh());
                if (!extended(extend, meter, interval, kg)) {
                    insert(add, meter, interval, kg);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store the energy intervals of meter " + meter.id(), e);
        }
    }

    private static final String EXTEND =
            """
            UPDATE energy_intervals SET ended_at = ?, joules = joules + ?, kg_co2e = kg_co2e + ?
            WHERE id = (SELECT id FROM energy_intervals WHERE meter_id = ? AND component = ? AND device = ? AND method = ?
                        ORDER BY ended_at DESC, id DESC LIMIT 1)
              AND ended_at <= ? AND started_at >= ?
              AND zone = ? AND g_co2e_per_kwh = ? AND intensity_source = ? AND intensity_method = ?
              AND intensity_fallback = ? AND intensity_at IS NOT DISTINCT FROM ?
              AND intensity_note IS NOT DISTINCT FROM ?
            """;

    private static final String INSERT =
            """
            INSERT INTO energy_intervals (meter_id, team_id, run_id, worker_id, component, device, method, started_at,
                ended_at, joules, pue, zone, g_co2e_per_kwh, intensity_source, intensity_year, intensity_at,
                intensity_method, intensity_fallback, intensity_note, kg_co2e)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;

    private static boolean extended(PreparedStatement extend, Meter meter, Interval interval, double kg)
            throws SQLException {
        Intensity intensity = interval.intensity();
        extend.setObject(1, utc(interval.to()));
        extend.setDouble(2, interval.joules());
        extend.setDouble(3, kg);
        extend.setObject(4, meter.id());
        extend.setString(5, interval.key().component());
        extend.setInt(6, interval.key().device());
        extend.setString(7, interval.key().method());
        extend.setObject(8, utc(interval.from()));
        extend.setObject(9, utc(interval.from().truncatedTo(ChronoUnit.HOURS)));
        extend.setString(10, intensity.zone());
        extend.setDouble(11, intensity.gCo2ePerKwh());
        extend.setString(12, intensity.source());
        extend.setString(13, intensity.method());
        extend.setBoolean(14, intensity.fallback());
        extend.setObject(
                15, intensity.timestamp() == null ? null : utc(intensity.timestamp()), Types.TIMESTAMP_WITH_TIMEZONE);
        extend.setString(16, note(intensity));
        return extend.executeUpdate() > 0;
    }

    private static void insert(PreparedStatement add, Meter meter, Interval interval, double kg) throws SQLException {
        Intensity intensity = interval.intensity();
        add.setObject(1, meter.id());
        add.setObject(2, meter.teamId());
        add.setObject(3, meter.runId());
        add.setObject(4, meter.workerId());
        add.setString(5, interval.key().component());
        add.setInt(6, interval.key().device());
        add.setString(7, interval.key().method());
        add.setObject(8, utc(interval.from()));
        add.setObject(9, utc(interval.to()));
        add.setDouble(10, interval.joules());
        add.setDouble(11, meter.pue());
        add.setString(12, intensity.zone());
        add.setDouble(13, intensity.gCo2ePerKwh());
        add.setString(14, intensity.source());
        add.setObject(15, intensity.year(), Types.INTEGER);
        add.setObject(
                16, intensity.timestamp() == null ? null : utc(intensity.timestamp()), Types.TIMESTAMP_WITH_TIMEZONE);
        add.setString(17, intensity.method());
        add.setBoolean(18, intensity.fallback());
        add.setString(19, note(intensity));
        add.setDouble(20, kg);
        add.executeUpdate();
    }

    /** Moves the meter on to a reading taken at {@code reportedAt}; a final reading closes it. */
    void advance(UUID meterId, double seconds, Instant reportedAt, boolean close) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement update = c.prepareStatement(
                        "UPDATE energy_meters SET seconds = ?, reported_at = ?, final = final OR ? WHERE id = ?")) {
            update.setDouble(1, seconds);
            update.setObject(2, utc(reportedAt));
            update.setBoolean(3, close);
            update.setObject(4, meterId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not advance energy meter " + meterId, e);
        }
    }

    private static String note(Intensity intensity) {
        String note = intensity.note();
        return note == null || note.length() <= 300 ? note : note.substring(0, 299) + "…";
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
