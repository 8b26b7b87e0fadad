package dev.canopy.api.run;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.postgresql.PGConnection;

/** The SQL behind metric ingestion, on the caller's transaction's connection. */
@ApplicationScoped
class MetricStore {

    /** Points summarised per row of {@code metric_blocks}. */
    static final int BLOCK_SIZE = 64;

    /** PostgreSQL binary COPY header: signature, flags, header extension length. */
    static final byte[] COPY_HEADER = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    /** Records a batch id; false if the run has seen it before (the batch is a retry). */
    boolean claimBatch(Connection connection, UUID runId, String batchId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO metric_batches (run_id, batch_id, received_at) VALUES (?, ?, now())"
                        + " ON CONFLICT (run_id, batch_id) DO NOTHING")) {
            insert.setObject(1, runId);
            insert.setString(2, batchId);
            return insert.executeUpdate() == 1;
        }
    }

    /** The run's series ids by key. */
    Map<String, Long> seriesOf(Connection connection, UUID runId) throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        try (PreparedStatement select =
                connection.prepareStatement("SELECT id, key FROM metric_series WHERE run_id = ?")) {
            select.setObject(1, runId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.put(rows.getString(2), rows.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Inserts the series a batch introduced, with the ids {@link PointCopy} reserved for them. */
    void insertSeries(Connection connection, UUID runId, Map<String, Long> created) throws SQLException {
        if (created.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO metric_series (id, run_id, key) SELECT i, ?, k FROM unnest(?::int8[], ?::varchar[]) AS t(i, k)")) {
            insert.setObject(1, runId);
            insert.setArray(2, connection.createArrayOf("int8", created.values().toArray()));
            insert.setArray(
                    3, connection.createArrayOf("varchar", created.keySet().toArray()));
            insert.executeUpdate();
        }
    }

    /** Writes the block summaries of the batch: per series, its points in order, 64 to a block. */
    void copyBlocks(Connection connection, PointColumns points, List<SeriesBatch> series) throws SQLException {
        ByteBuffer rows =
                ByteBuffer.allocate(COPY_HEADER.length + 2 + (points.size() / BLOCK_SIZE + series.size()) * 118);
        rows.put(COPY_HEADER);
        for (SeriesBatch s : series) {
            int[] ordered = s.pointsInOrder(points);
            for (int start = 0; start < ordered.length; start += BLOCK_SIZE) {
                putBlock(rows, s.seriesId, points, ordered, start, Math.min(ordered.length, start + BLOCK_SIZE));
            }
        }
        rows.putShort((short) -1);
        try {
            connection
                    .unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(BLOCK_COPY, new ByteArrayInputStream(rows.array(), 0, rows.position()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String BLOCK_COPY = "COPY metric_blocks (series_id, first_step, first_timestamp, point_count,"
            + " min_step, min_timestamp, min_value, max_step, max_timestamp, max_value) FROM STDIN (FORMAT binary)";

    /**
     * One block: the lowest and highest point of {@code ordered[from, to)} by value. NaN counts only when the
     * block holds nothing else, so that a NaN never hides the real extremes.
     */
    private static void putBlock(ByteBuffer rows, long seriesId, PointColumns points, int[] ordered, int from, int to) {
        int low = ordered[from];
        int high = ordered[from];
        for (int k = from + 1; k < to; k++) {
            int i = ordered[k];
            double v = points.value(i);
            if (Double.isNaN(points.value(low)) || (!Double.isNaN(v) && v < points.value(low))) {
                low = i;
            }
            if (Double.isNaN(points.value(high)) || (!Double.isNaN(v) && v > points.value(high))) {
                high = i;
            }
        }
        rows.putShort((short) 10);
        putLong(rows, seriesId);
        putLong(rows, points.step(ordered[from]));
        putLong(rows, points.timestamp(ordered[from]));
        rows.putInt(4).putInt(to - from);
        putLong(rows, points.step(low));
        putLong(rows, points.timestamp(low));
        putDouble(rows, points.value(low));
        putLong(rows, points.step(high));
        putLong(rows, points.timestamp(high));
        putDouble(rows, points.value(high));
    }

    private static void putLong(ByteBuffer rows, long value) {
        rows.putInt(8).putLong(value);
    }

    private static void putDouble(ByteBuffer rows, double value) {
        rows.putInt(8).putDouble(value);
    }

    /**
     * Adds a batch to its series: counts, extent, and the latest point if the batch's is later. The caller holds
     * the run's lock, so no other batch updates these rows meanwhile.
     */
    void updateSeries(Connection connection, List<SeriesBatch> series) throws SQLException {
        int n = series.size();
        Long[][] columns = new Long[9][n];
        Double[] latestValues = new Double[n];
        for (int i = 0; i < n; i++) {
            SeriesBatch s = series.get(i);
            Long[] row = {
                s.seriesId,
                (long) s.count,
                (long) blocks(s.count),
                s.minStep,
                s.maxStep,
                s.minTimestamp,
                s.maxTimestamp,
                s.latestStep,
                s.latestTimestamp
            };
            for (int c = 0; c < row.length; c++) {
                columns[c][i] = row[c];
            }
            latestValues[i] = s.latestValue;
        }
        Array ids = connection.createArrayOf("int8", columns[0]);
        try (PreparedStatement lock =
                connection.prepareStatement("SELECT id FROM metric_series WHERE id = ANY(?) ORDER BY id FOR UPDATE")) {
            lock.setArray(1, ids);
            lock.executeQuery().close();
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE_SERIES)) {
            update.setArray(1, ids);
            for (int c = 1; c < columns.length; c++) {
                update.setArray(c + 1, connection.createArrayOf("int8", columns[c]));
            }
            update.setArray(columns.length + 1, connection.createArrayOf("float8", latestValues));
            update.executeUpdate();
        }
    }

    private static int blocks(int points) {
        return (points + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    /** Every SET expression sees the row as it was, so "newer" is judged against the old latest point. */
    private static final String UPDATE_SERIES =
            """
            UPDATE metric_series s SET
                point_count = s.point_count + v.n,
                block_count = s.block_count + v.blocks,
                min_step = LEAST(s.min_step, v.min_step),
                max_step = GREATEST(s.max_step, v.max_step),
                min_timestamp = LEAST(s.min_timestamp, v.min_ts),
                max_timestamp = GREATEST(s.max_timestamp, v.max_ts),
                latest_step = CASE WHEN %1$s THEN v.ls ELSE s.latest_step END,
                latest_timestamp = CASE WHEN %1$s THEN v.lt ELSE s.latest_timestamp END,
                latest_value = CASE WHEN %1$s THEN v.lv ELSE s.latest_value END
            FROM unnest(?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int8[],
                        ?::int8[], ?::float8[]) AS v(id, n, blocks, min_step, max_step, min_ts, max_ts, ls, lt, lv)
            WHERE s.id = v.id
            """
                    .formatted(
                            "(s.latest_step IS NULL OR (v.ls, v.lt, v.lv) > (s.latest_step, s.latest_timestamp, s.latest_value))");
}
