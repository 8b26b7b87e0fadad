package dev.canopy.api.run;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.run.MetricRecords.HistoryResponse;
import dev.canopy.api.run.MetricRecords.Point;
import dev.canopy.api.run.MetricRecords.SeriesResponse;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Reading metrics back: the series of a run, a whole history (read before it is sent, or streamed from a cursor
 * when long), or a history downsampled
 * on the server to at most {@code maxPoints} points that keep each bucket's minimum and maximum.
 */
@ApplicationScoped
class MetricHistory {

    @Inject
    TeamAccess access;

    @Inject
    RunService runs;

    @Inject
    MetricSeriesRepository series;

    @Inject
    EntityManager entityManager;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ObjectMapper mapper;

    @Inject
    MetricConfig config;

    List<SeriesResponse> series(String team, UUID runId) {
        TeamScope scope = access.read(team);
        return series.findByRun(runs.find(scope, runId).id).stream()
                .map(SeriesResponse::from)
                .toList();
    }

    /**
     * The history of one key: whole (read, then sent; streamed when long) when it fits {@code maxPoints} or none is
     * given, else downsampled.
     */
    Object history(String team, UUID runId, String key, Integer maxPoints) {
        TeamScope scope = access.read(team);
        UUID run = runs.find(scope, runId).id;
        MetricSeries found = series.findByRunAndKey(run, key)
                .orElseThrow(() -> new NotFound("metric '" + key + "' of run " + runId + " not found"));
        if (maxPoints != null && (maxPoints < 2 || maxPoints > config.maxDownsampledPoints())) {
            throw new InvalidRequest("maxPoints", "must be between 2 and " + config.maxDownsampledPoints());
        }
        if (maxPoints == null || found.pointCount <= maxPoints) {
            return whole(found);
        }
        return new HistoryResponse(key, found.pointCount, true, downsample(found, maxPoints));
    }

    /**
     * Buckets the series by step (by timestamp if every point has the same step) into {@code maxPoints / 2}
     * equal ranges and keeps, per bucket, the point with the lowest and the one with the highest value (NaN only
     * where a bucket holds nothing else). Spikes survive; at most {@code maxPoints} points come back.
     *
     * <p>A long series is bucketed from its block summaries (64 points each, see {@link MetricStore}): a block
     * belongs to the bucket its first point falls in, so buckets end on block boundaries and their extremes stay
     * exact. That reads one row per 64 points. Short or finely fragmented series are bucketed from the points.
     */
    private List<Point> downsample(MetricSeries s, int maxPoints) {
        boolean byStep = s.maxStep > s.minStep;
        double low = byStep ? s.minStep : s.minTimestamp;
        double high = Buckets.after(byStep ? s.maxStep : s.maxTimestamp);
        Buckets buckets = new Buckets(maxPoints / 2, low, high);
        boolean fromBlocks = s.blockCount >= 2L * maxPoints && s.blockCount * 4 <= s.pointCount;
        String sql = fromBlocks
                ? FROM_BLOCKS.formatted(byStep ? "first_step" : "first_timestamp")
                : FROM_POINTS.formatted(byStep ? "step" : "timestamp");
        // In a transaction of its own, so that the driver reads the rows through a cursor, a part at a time: a long
        // series has a block row per 64 points, and all of them at once could take hundreds of megabytes.
        return QuarkusTransaction.requiringNew()
                .call(() -> entityManager.unwrap(Session.class).doReturningWork(connection -> {
                    try (PreparedStatement query = connection.prepareStatement(sql)) {
                        query.setFetchSize(10_000);
                        if (fromBlocks) {
                            query.setLong(1, s.id);
                        } else {
                            query.setDouble(1, low);
                            query.setDouble(2, high);
                            query.setInt(3, maxPoints / 2);
                            query.setLong(4, s.id);
                        }
                        try (ResultSet rows = query.executeQuery()) {
                            while (rows.next()) {
                                if (fromBlocks) {
                                    buckets.add(rows.getLong(1), point(rows, 2));
                                    buckets.add(rows.getLong(5), point(rows, 6));
                                } else {
                                    for (int column : new int[] {1, 4}) {
                                        Point point = point(rows, column);
                                        buckets.add(
                                                byStep
                                                        ? point.step()
                                                        : point.timestamp().toEpochMilli(),
                                                point);
                                    }
                                }
                            }
                        }
                        return buckets.points();
                    }
                }));
    }

    private static Point point(ResultSet rows, int column) throws SQLException {
        return new Point(
                rows.getLong(column), Instant.ofEpochMilli(rows.getLong(column + 1)), rows.getDouble(column + 2));
    }

    /** Each block with its lowest and highest point, placed at the block's first step (or timestamp). */
    private static final String FROM_BLOCKS =
            """
            SELECT %1$s, min_step, min_timestamp, min_value, %1$s, max_step, max_timestamp, max_value
            FROM metric_blocks WHERE series_id = ?
            """;

    /**
     * Each bucket's lowest and highest point (step, timestamp, value) straight from the points, for series without
     * useful blocks: min/max over {value, step's high 32 bits, its low 32 bits, timestamp} arrays finds them in one
     * pass. Each part is exact as a double (a step as a whole is not beyond 2^53; timestamps, years 1 to 9999 in
     * milliseconds, are), and the order of the parts is the order of the steps. NaN sorts above every number in
     * PostgreSQL, so the minimum is NaN only for an all-NaN bucket and the maximum skips NaN unless that is all.
     */
    private static final String FROM_POINTS =
            """
            SELECT (lo[2]::int8 << 32) | lo[3]::int8, lo[4]::int8, lo[1], (hi[2]::int8 << 32) | hi[3]::int8, hi[4]::int8,
                hi[1]
            FROM (
                SELECT min(a) AS lo, coalesce(max(a) FILTER (WHERE a[1] <> 'NaN'), min(a)) AS hi
                FROM (
                    SELECT width_bucket(%1$s, ?, ?, ?) AS b,
                        ARRAY[value, (step >> 32)::float8, (step & 4294967295)::float8, timestamp::float8] AS a
                    FROM metric_points WHERE series_id = ?
                ) p
                GROUP BY b
            ) g
            """;

    /**
     * Most points of a history read whole before it is sent (24 bytes each here, 2.4 MB at most): its connection goes
     * back to the pool at once, however slowly the client reads the answer. A longer history streams from a cursor,
     * holding its connection while the client reads.
     */
    static final int READ_BEFORE_SENDING = 100_000;

    /** A history's points, read before sending; or, streaming, written as they are read. */
    @FunctionalInterface
    private interface PointSink {
        void add(long step, long timestamp, double value) throws IOException;
    }

    private StreamingOutput whole(MetricSeries s) {
        if (s.pointCount > READ_BEFORE_SENDING) {
            return streamWhole(s);
        }
        Points points = new Points();
        QuarkusTransaction.requiringNew()
                .run(() -> entityManager.unwrap(Session.class).doWork(connection -> {
                    try {
                        readPoints(connection, s.id, points::add);
                    } catch (IOException e) {
                        throw new IllegalStateException("not written to: points are kept in memory", e);
                    }
                }));
        return output -> {
            try {
                writeWhole(s, output, points::replay);
            } catch (SQLException e) {
                throw new IllegalStateException("read before: no database here", e);
            }
        };
    }

    private StreamingOutput streamWhole(MetricSeries s) {
        return output -> {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                writeWhole(s, output, sink -> readPoints(connection, s.id, sink));
                connection.rollback();
            } catch (SQLException e) {
                throw new IOException("Could not read metric history of series " + s.id, e);
            }
        };
    }

    /** Where {@link #writeWhole} gets the points it writes. */
    @FunctionalInterface
    private interface PointSource {
        void into(PointSink sink) throws SQLException, IOException;
    }

    private void writeWhole(MetricSeries s, OutputStream output, PointSource source) throws IOException, SQLException {
        try (JsonGenerator json = mapper.getFactory().createGenerator(output)) {
            json.writeStartObject();
            json.writeStringField("key", s.key);
            json.writeNumberField("totalPoints", s.pointCount);
            json.writeBooleanField("downsampled", false);
            json.writeArrayFieldStart("points");
            source.into((step, timestamp, value) -> {
                json.writeStartObject();
                json.writeNumberField("step", step);
                json.writeStringField(
                        "timestamp", Instant.ofEpochMilli(timestamp).toString());
                json.writeNumberField("value", value);
                json.writeEndObject();
            });
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    private static void readPoints(Connection connection, long seriesId, PointSink sink)
            throws SQLException, IOException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT step, timestamp, value FROM metric_points WHERE series_id = ? ORDER BY step, timestamp")) {
            query.setFetchSize(10_000);
            query.setLong(1, seriesId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sink.add(rows.getLong(1), rows.getLong(2), rows.getDouble(3));
                }
            }
        }
    }

    /** Points in three growing arrays: a third of the memory of point objects. */
    private static final class Points {
        private long[] steps = new long[64];
        private long[] timestamps = new long[64];
        private double[] values = new double[64];
        private int size;

        void add(long step, long timestamp, double value) {
            if (size == steps.length) {
                steps = Arrays.copyOf(steps, size * 2);
                timestamps = Arrays.copyOf(timestamps, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            steps[size] = step;
            timestamps[size] = timestamp;
            values[size] = value;
            size++;
        }

        void replay(PointSink sink) throws IOException {
            for (int i = 0; i < size; i++) {
                sink.add(steps[i], timestamps[i], values[i]);
            }
        }
    }
}
