package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.CanaryWatch.Seen;
import dev.canopy.api.endpoint.CanaryWatch.Tally;
import dev.canopy.api.endpoint.LatencyHistogram.Counts;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What control planes share about serving, each (an instance of this class, one per process) overwriting its own
 * rows and reading the others': what it saw of each running canary ({@code canary_observations}), so that a
 * canary's policy decides on all of its traffic (rows of canaries that ended are deleted); and what it served of
 * each endpoint's versions ({@code serving_observations}), so that the API shows totals over control planes; and what
 * serving each version has cost ({@code serving_energy}), so that its energy per 1,000 predictions is over all of
 * them. What shadows answered is shared the same way ({@link ShadowPool}).
 */
@ApplicationScoped
class ServingPool {

    private static final String CURRENT = "SELECT 1 FROM endpoints WHERE id = ? AND canary_id = ?";

    private static final String UPSERT =
            """
            INSERT INTO canary_observations (canary_id, endpoint_id, instance_id, side, requests, errors,
                                             latency_buckets, latency_counts, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (canary_id, instance_id, side) DO UPDATE SET
                requests = excluded.requests, errors = excluded.errors, latency_buckets = excluded.latency_buckets,
                latency_counts = excluded.latency_counts, updated_at = excluded.updated_at
            """;

    private static final String OBSERVED =
            """
            SELECT instance_id, side, requests, errors, latency_buckets, latency_counts
            FROM canary_observations WHERE canary_id = ? AND instance_id <> ?
            """;

    private static final String DELETE_ENDED =
            """
            DELETE FROM canary_observations o WHERE NOT EXISTS
                (SELECT 1 FROM endpoints e WHERE e.id = o.endpoint_id AND e.canary_id = o.canary_id)
            """;

    private static final String UPSERT_SERVED =
            """
            INSERT INTO serving_observations (endpoint_id, version_id, instance_id, requests, errors, rejected,
                                              predictions, latency_buckets, latency_counts, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (endpoint_id, version_id, instance_id) DO UPDATE SET
                requests = excluded.requests, errors = excluded.errors, rejected = excluded.rejected,
                predictions = excluded.predictions, latency_buckets = excluded.latency_buckets,
                latency_counts = excluded.latency_counts, updated_at = excluded.updated_at
            """;

    private static final String SERVED =
            """
            SELECT requests, errors, rejected, predictions, latency_buckets, latency_counts
            FROM serving_observations WHERE endpoint_id = ? AND version_id = ? AND instance_id <> ?
            """;

    private static final String UPSERT_ENERGY =
            """
            INSERT INTO serving_energy (version_id, instance_id, cpu_seconds, predictions, kwh, kg_co2e, pue, zone,
                                        updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (version_id, instance_id) DO UPDATE SET
                cpu_seconds = excluded.cpu_seconds, predictions = excluded.predictions, kwh = excluded.kwh,
                kg_co2e = excluded.kg_co2e, pue = excluded.pue, zone = excluded.zone, updated_at = excluded.updated_at
            """;

    private static final String ENERGY =
            """
            SELECT cpu_seconds, predictions, kwh, kg_co2e, pue, zone
            FROM serving_energy WHERE version_id = ? AND instance_id <> ?
            """;

    private static final String FOREIGN_KEY_VIOLATION = "23503";

    /** This control plane, as its rows name it. */
    private final UUID instance = UUID.randomUUID();

    @Inject
    AgroalDataSource dataSource;

    /** This control plane, as the rows of the tables it shares name it (read through a method: beans are proxied). */
    UUID instance() {
        return instance;
    }

    /**
     * Stores what this control plane saw of the canary and returns what the others did; empty when the canary is
     * no longer the endpoint's (it ended), and then nothing is stored.
     */
    Optional<Seen> exchange(UUID endpointId, UUID canaryId, Seen local) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            try (PreparedStatement current = db.prepareStatement(CURRENT)) {
                current.setObject(1, endpointId);
                current.setObject(2, canaryId);
                try (ResultSet row = current.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                }
            }
            try (PreparedStatement upsert = db.prepareStatement(UPSERT)) {
                addCanaryRow(db, upsert, endpointId, canaryId, "LIVE", local.live());
                addCanaryRow(db, upsert, endpointId, canaryId, "CANARY", local.canary());
                upsert.executeBatch();
            }
            return Optional.of(read(db, canaryId, instance));
        }
    }

    /** What the control planes reported of the canary; with {@code includingThis} false, this one's left out. */
    Seen reported(UUID canaryId, boolean includingThis) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            return read(db, canaryId, includingThis ? null : instance);
        }
    }

    /** One endpoint's version, and what this control plane has served of it. */
    record Served(UUID endpointId, UUID versionId, ServingStats.Totals totals) {}

    /**
     * Stores what this control plane has served; rows of endpoints deleted meanwhile are skipped (their rows went
     * with them).
     */
    void store(List<Served> served) throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement upsert = db.prepareStatement(UPSERT_SERVED)) {
            for (Served s : served) {
                upsert.setObject(1, s.endpointId());
                upsert.setObject(2, s.versionId());
                upsert.setObject(3, instance);
                upsert.setLong(4, s.totals().requests());
                upsert.setLong(5, s.totals().errors());
                upsert.setLong(6, s.totals().rejected());
                upsert.setLong(7, s.totals().predictions());
                upsert.setArray(8, integers(db, s.totals().latency()));
                upsert.setArray(9, bigints(db, s.totals().latency()));
                executeUnlessGone(upsert);
            }
        }
    }

    /** What the other control planes (running or not) served of the endpoint's version, as they last stored it. */
    ServingStats.Totals servedElsewhere(UUID endpointId, UUID versionId) throws SQLException {
        ServingStats.Totals sum = ServingStats.Totals.NONE;
        try (Connection db = dataSource.getConnection();
                PreparedStatement query = db.prepareStatement(SERVED)) {
            query.setObject(1, endpointId);
            query.setObject(2, versionId);
            query.setObject(3, instance);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sum = sum.plus(new ServingStats.Totals(
                            rows.getLong(1),
                            rows.getLong(2),
                            rows.getLong(3),
                            rows.getLong(4),
                            counts(rows.getArray(5), rows.getArray(6))));
                }
            }
        }
        return sum;
    }

    /** Stores what serving each version has cost this control plane; versions deleted meanwhile are skipped. */
    void storeEnergy(Map<UUID, ServingEnergyLedger.Charged> charged) throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement upsert = db.prepareStatement(UPSERT_ENERGY)) {
            for (Map.Entry<UUID, ServingEnergyLedger.Charged> entry : charged.entrySet()) {
                ServingEnergyLedger.Charged c = entry.getValue();
                upsert.setObject(1, entry.getKey());
                upsert.setObject(2, instance);
                upsert.setDouble(3, c.cpuSeconds());
                upsert.setLong(4, c.predictions());
                upsert.setDouble(5, c.kWh());
                upsert.setDouble(6, c.kgCo2e());
                upsert.setDouble(7, c.pue());
                upsert.setString(8, c.zone());
                executeUnlessGone(upsert);
            }
        }
    }

    /** What serving the version has cost each other control plane (running or not), as it last stored it. */
    List<ServingEnergyLedger.Charged> energyElsewhere(UUID versionId) throws SQLException {
        List<ServingEnergyLedger.Charged> planes = new ArrayList<>();
        try (Connection db = dataSource.getConnection();
                PreparedStatement query = db.prepareStatement(ENERGY)) {
            query.setObject(1, versionId);
            query.setObject(2, instance);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    planes.add(new ServingEnergyLedger.Charged(
                            rows.getDouble(1),
                            rows.getLong(2),
                            rows.getDouble(3),
                            rows.getDouble(4),
                            rows.getDouble(5),
                            rows.getString(6)));
                }
            }
        }
        return planes;
    }

    /** Deletes the rows of canaries that are no longer any endpoint's canary. */
    void deleteEnded() throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement delete = db.prepareStatement(DELETE_ENDED)) {
            delete.executeUpdate();
        }
    }

    private void addCanaryRow(
            Connection db, PreparedStatement upsert, UUID endpointId, UUID canaryId, String side, Tally t)
            throws SQLException {
        upsert.setObject(1, canaryId);
        upsert.setObject(2, endpointId);
        upsert.setObject(3, instance);
        upsert.setString(4, side);
        upsert.setLong(5, t.requests());
        upsert.setLong(6, t.errors());
        upsert.setArray(7, integers(db, t.latency()));
        upsert.setArray(8, bigints(db, t.latency()));
        upsert.addBatch();
    }

    /** Runs an upsert of a row whose endpoint or version may have been deleted meanwhile: then it stores nothing. */
    static void executeUnlessGone(PreparedStatement upsert) throws SQLException {
        try {
            upsert.executeUpdate();
        } catch (SQLException e) {
            if (!FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    static Array integers(Connection db, Counts latency) throws SQLException {
        return db.createArrayOf(
                "integer", Arrays.stream(latency.buckets()).boxed().toArray());
    }

    static Array bigints(Connection db, Counts latency) throws SQLException {
        return db.createArrayOf(
                "bigint", Arrays.stream(latency.values()).boxed().toArray());
    }

    /** The sum over control planes other than {@code except} (none left out when null). */
    private static Seen read(Connection db, UUID canaryId, UUID except) throws SQLException {
        Tally live = Tally.NONE;
        Tally canary = Tally.NONE;
        Set<UUID> planes = new HashSet<>();
        try (PreparedStatement query = db.prepareStatement(OBSERVED)) {
            query.setObject(1, canaryId);
            query.setObject(2, except == null ? new UUID(0, 0) : except);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    planes.add(rows.getObject(1, UUID.class));
                    Tally tally =
                            new Tally(rows.getLong(3), rows.getLong(4), counts(rows.getArray(5), rows.getArray(6)));
                    if (rows.getString(2).equals("LIVE")) {
                        live = live.plus(tally);
                    } else {
                        canary = canary.plus(tally);
                    }
                }
            }
        }
        return new Seen(live, canary, planes.size());
    }

    static Counts counts(Array buckets, Array values) throws SQLException {
        return new Counts(
                Arrays.stream((Integer[]) buckets.getArray())
                        .mapToInt(Integer::intValue)
                        .toArray(),
                Arrays.stream((Long[]) values.getArray())
                        .mapToLong(Long::longValue)
                        .toArray());
    }
}
