package dev.canopy.api.run;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams metric points into {@code metric_points} with binary COPY while the batch is still being read, so that
 * PostgreSQL stores one part while the next is parsed. A key without a series gets an id reserved from the
 * series sequence; the caller inserts those series ({@link #created()}) before committing. While COPY runs the
 * connection takes no other statement, so reserving more ids ends the current COPY and starts a new one.
 */
final class PointCopy {

    private static final String COPY_POINTS =
            "COPY metric_points (series_id, step, timestamp, value) FROM STDIN (FORMAT binary)";
    private static final int ROW_BYTES = 50;

    private final Connection connection;
    private final CopyManager copyManager;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private final Map<String, Long> ids;
    private final Map<String, Long> created = new LinkedHashMap<>();
    private final Deque<Long> reserved = new ArrayDeque<>();
    private CopyIn copy;
    private String lastKey;
    private long lastId;

    PointCopy(Connection connection, Map<String, Long> existingSeries) throws SQLException {
        this.connection = connection;
        this.copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
        this.ids = new LinkedHashMap<>(existingSeries);
    }

    /** The series id of {@code key}; a new key gets a reserved id and is remembered in {@link #created()}. */
    long seriesId(String key) throws SQLException {
        if (key == lastKey) {
            return lastId;
        }
        Long id = ids.get(key);
        if (id == null) {
            id = reserveId();
            ids.put(key, id);
            created.put(key, id);
        }
        lastKey = key;
        lastId = id;
        return id;
    }

    void write(long seriesId, long step, long timestamp, double value) throws SQLException {
        if (buffer.remaining() < ROW_BYTES + 2) {
            flush();
        }
        buffer.putShort((short) 4);
        buffer.putInt(8).putLong(seriesId);
        buffer.putInt(8).putLong(step);
        buffer.putInt(8).putLong(timestamp);
        buffer.putInt(8).putDouble(value);
    }

    /** Ends the COPY; after this the connection takes statements again. */
    void finish() throws SQLException {
        if (copy != null || buffer.position() > 0) {
            flush();
            buffer.putShort((short) -1);
            flush();
            copy.endCopy();
            copy = null;
        }
    }

    /** Abandons an unfinished COPY so that the transaction can roll back cleanly. */
    void cancel() {
        try {
            if (copy != null && copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not cancel COPY", e);
        }
    }

    /** Keys that had no series, with the ids reserved for them. */
    Map<String, Long> created() {
        return created;
    }

    /** Every key of the batch (and of the run before it) with its series id. */
    Map<String, Long> ids() {
        return ids;
    }

    private void flush() throws SQLException {
        if (copy == null) {
            copy = copyManager.copyIn(COPY_POINTS);
            copy.writeToCopy(MetricStore.COPY_HEADER, 0, MetricStore.COPY_HEADER.length);
        }
        copy.writeToCopy(buffer.array(), 0, buffer.position());
        buffer.clear();
    }

    private long reserveId() throws SQLException {
        if (reserved.isEmpty()) {
            finish();
            int count = Math.max(8, 2 * created.size());
            try (PreparedStatement next =
                    connection.prepareStatement("SELECT nextval('metric_series_id_seq') FROM generate_series(1, ?)")) {
                next.setInt(1, count);
                try (ResultSet rows = next.executeQuery()) {
                    while (rows.next()) {
                        reserved.add(rows.getLong(1));
                    }
                }
            }
        }
        return reserved.pop();
    }
}
