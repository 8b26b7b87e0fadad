package dev.canopy.api.endpoint;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * What control planes share about shadows ({@code shadow_observations}): each overwrites its own rows with what
 * its copies to each shadow version showed, and reads the others', so that a shadow's comparison in the API is
 * over all of the endpoint's traffic, whichever control plane answers.
 */
@ApplicationScoped
class ShadowPool {

    private static final String UPSERT =
            """
            INSERT INTO shadow_observations (endpoint_id, shadow_id, version_id, instance_id, copies, dropped, errors,
                                             compared, agreed, disagreed, absolute_difference, latency_buckets,
                                             latency_counts, updated_at)
            SELECT id, shadow_id, shadow_version_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()
            FROM endpoints WHERE id = ? AND shadow_id = ? FOR SHARE
            ON CONFLICT (shadow_id, instance_id) DO UPDATE SET
                copies = excluded.copies, dropped = excluded.dropped, errors = excluded.errors,
                compared = excluded.compared, agreed = excluded.agreed, disagreed = excluded.disagreed,
                absolute_difference = excluded.absolute_difference, latency_buckets = excluded.latency_buckets,
                latency_counts = excluded.latency_counts, updated_at = excluded.updated_at
            """;

    private static final String SEEN =
            """
            SELECT copies, dropped, errors, compared, agreed, disagreed, absolute_difference, latency_buckets,
                   latency_counts
            FROM shadow_observations WHERE shadow_id = ? AND instance_id <> ?
            """;

    /** One endpoint's shadow (by its id), and what this control plane has seen of it. */
    record Seen(UUID endpointId, UUID shadowId, ShadowStats.Totals totals) {}

    @Inject
    ServingPool serving;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Stores what this control plane has seen, of shadows still running: a shadow ended meanwhile (its endpoint
     * deleted, or stopped; its rows went as it ended) is not stored again, its counts being of no use any more. The
     * endpoint's row is read FOR SHARE: a change that ends the shadow and has not committed yet is waited for, and
     * then seen, rather than stored after its trigger deleted the rows.
     */
    void store(List<Seen> seen) throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement upsert = db.prepareStatement(UPSERT)) {
            for (Seen s : seen) {
                ShadowStats.Totals t = s.totals();
                upsert.setObject(1, serving.instance());
                upsert.setLong(2, t.copies());
                upsert.setLong(3, t.dropped());
                upsert.setLong(4, t.errors());
                upsert.setLong(5, t.compared());
                upsert.setLong(6, t.agreed());
                upsert.setLong(7, t.disagreed());
                upsert.setDouble(8, t.absoluteDifference());
                upsert.setArray(9, ServingPool.integers(db, t.latency()));
                upsert.setArray(10, ServingPool.bigints(db, t.latency()));
                upsert.setObject(11, s.endpointId());
                upsert.setObject(12, s.shadowId());
                ServingPool.executeUnlessGone(upsert);
            }
        }
    }

    /** What the other control planes (running or not) saw of the shadow, as they last stored it. */
    ShadowStats.Totals seenElsewhere(UUID shadowId) throws SQLException {
        ShadowStats.Totals sum = ShadowStats.Totals.NONE;
        try (Connection db = dataSource.getConnection();
                PreparedStatement query = db.prepareStatement(SEEN)) {
            query.setObject(1, shadowId);
            query.setObject(2, serving.instance());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sum = sum.plus(new ShadowStats.Totals(
                            rows.getLong(1),
                            rows.getLong(2),
                            rows.getLong(3),
                            rows.getLong(4),
                            rows.getLong(5),
                            rows.getLong(6),
                            rows.getDouble(7),
                            ServingPool.counts(rows.getArray(8), rows.getArray(9))));
                }
            }
        }
        return sum;
    }
}
