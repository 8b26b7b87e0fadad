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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Reading metrics back: the series of a run, a whole history streamed from a cursor, or a history downsampled
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

    /** The history of one key: whole (streamed) when it fits {@code maxPoints} or none is given, else downsampled. */
    Object history(String team, UUID runId, String key, Integer maxPoints) {
        TeamScope scope = access.read(team);
        UUID run = runs.find(scope, runId).id;
        MetricSeries found = series.findByRunAndKey(run, key)
                .orElseThrow(() -> new NotFound("metric '" + key + "' of run " + runId + " not found"));
        if (maxPoints != null && (maxPoints < 2 || maxPoints > config.maxDownsampledPoints())) {
            throw new InvalidRequest("maxPoints", "must be between 2 and " + config.maxDownsampledPoints());
        }
        if (maxPoints == null || found.pointCount <= maxPoints) {
            return streamWhole(found);
        }
        return new HistoryResponse(key, found.pointCount, true, downsample(found, maxPoints));
    }

    /**
     * Buckets the series by step (by timestamp if every point has the same step) into {@code maxPoints / 2}
     * equal ranges and keeps, per bucket, the point with the lowest and the one with the highest value (one
     * NaN point for a bucket holding only NaNs). Spikes survive; at most {@code maxPoints} points come back.
     */
    private List<Point> downsample(MetricSeries s, int maxPoints) {
        boolean byStep = s.maxStep > s.minStep;
        String axis = byStep ? "step" : "timestamp";
        long low = byStep ? s.minStep : s.minTimestamp;
        long high = (byStep ? s.maxStep : s.maxTimestamp) + 1;
        int buckets = maxPoints / 2;
        String sql = DOWNSAMPLE.formatted(axis);
        return entityManager.unwrap(Session.class).doReturningWork(connection -> {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                query.setLong(1, low);
                query.setLong(2, high);
                query.setInt(3, buckets);
                query.setLong(4, s.id);
                List<Point> points = new ArrayList<>();
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        points.add(
                                new Point(rows.getLong(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getDouble(3)));
                    }
                }
                return points;
            }
        });
    }

    /**
     * min/max over {value, step, timestamp} arrays finds each bucket's extreme point in one pass; NaN sorts above
     * every number in PostgreSQL, so the minimum is NaN only for an all-NaN bucket and the maximum ignores NaN
     * unless nothing else is there.
     */
    private static final String DOWNSAMPLE =
            """
            SELECT DISTINCT e[2]::int8 AS step, e[3]::int8 AS ts, e[1] AS value
            FROM (
                SELECT min(a) AS lo, coalesce(max(a) FILTER (WHERE a[1] <> 'NaN'), min(a)) AS hi
                FROM (
                    SELECT width_bucket(%s, ?, ?, ?) AS b, ARRAY[value, step::float8, timestamp::float8] AS a
                    FROM metric_points WHERE series_id = ?
                ) p
                GROUP BY b
            ) g CROSS JOIN LATERAL (VALUES (g.lo), (g.hi)) v(e)
            ORDER BY step, ts
            """;

    private StreamingOutput streamWhole(MetricSeries s) {
        return output -> {
            try (Connection connection = dataSource.getConnection();
                    JsonGenerator json = mapper.getFactory().createGenerator(output)) {
                connection.setAutoCommit(false);
                json.writeStartObject();
                json.writeStringField("key", s.key);
                json.writeNumberField("totalPoints", s.pointCount);
                json.writeBooleanField("downsampled", false);
                json.writeArrayFieldStart("points");
                writePoints(connection, s.id, json);
                json.writeEndArray();
                json.writeEndObject();
                connection.rollback();
            } catch (SQLException e) {
                throw new IOException("Could not read metric history of series " + s.id, e);
            }
        };
    }

    private static void writePoints(Connection connection, long seriesId, JsonGenerator json)
            throws SQLException, IOException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT step, timestamp, value FROM metric_points WHERE series_id = ? ORDER BY step, timestamp")) {
            query.setFetchSize(10_000);
            query.setLong(1, seriesId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    json.writeStartObject();
                    json.writeNumberField("step", rows.getLong(1));
                    json.writeStringField(
                            "timestamp", Instant.ofEpochMilli(rows.getLong(2)).toString());
                    json.writeNumberField("value", rows.getDouble(3));
                    json.writeEndObject();
                }
            }
        }
    }
}
