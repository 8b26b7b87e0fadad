package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.PayloadTooLarge;
import dev.canopy.api.run.MetricRecords.IngestResponse;
import dev.canopy.api.run.MetricRecords.MetricBatchRequest;
import dev.canopy.api.run.MetricRecords.PointRequest;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Metric ingestion: a whole batch in one transaction, points written with PostgreSQL's binary COPY, series
 * bookkeeping (count, extent, latest value) in one statement per batch. A batch id is claimed in the same
 * transaction, so a retried batch is either fully applied once or not at all.
 */
@ApplicationScoped
class MetricIngestion {

    @Inject
    EntityManager entityManager;

    @Inject
    RunService runs;

    @Inject
    TeamAccess access;

    @Inject
    MetricConfig config;

    @Inject
    MetricStore store;

    @Transactional
    IngestResponse ingest(String team, UUID runId, MetricBatchRequest batch) {
        TeamScope scope = access.write(team);
        List<PointRequest> points = batch.points();
        if (points.size() > config.maxBatchPoints()) {
            throw new PayloadTooLarge(
                    "A batch may carry at most " + config.maxBatchPoints() + " points, not " + points.size());
        }
        long now = System.currentTimeMillis();
        Map<String, SeriesBatch> byKey = summarise(points, now);
        runs.requireRunningForWrite(scope, runId);
        return entityManager
                .unwrap(Session.class)
                .doReturningWork(connection -> write(connection, runId, batch, byKey, now));
    }

    private IngestResponse write(
            Connection connection, UUID runId, MetricBatchRequest batch, Map<String, SeriesBatch> byKey, long now)
            throws SQLException {
        List<PointRequest> points = batch.points();
        if (batch.batchId() != null && !store.claimBatch(connection, runId, batch.batchId(), points.size())) {
            return new IngestResponse(0, true);
        }
        if (points.isEmpty()) {
            return new IngestResponse(0, false);
        }
        Map<String, Long> seriesIds = store.seriesIds(connection, runId, byKey.keySet());
        store.copyPoints(connection, points, seriesIds, now);
        store.updateSeries(connection, seriesIds, byKey);
        return new IngestResponse(points.size(), false);
    }

    /** Validates every point and summarises the batch per key. Missing steps are 0, missing timestamps now. */
    private static Map<String, SeriesBatch> summarise(List<PointRequest> points, long now) {
        Map<String, SeriesBatch> byKey = new LinkedHashMap<>();
        for (int i = 0; i < points.size(); i++) {
            PointRequest point = points.get(i);
            if (point == null) {
                throw new InvalidRequest("points[" + i + "]", "must not be null");
            }
            if (point.value() == null) {
                throw new InvalidRequest(
                        "points[" + i + "].value", "must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
            }
            String key = point.key();
            if (key == null
                    || key.isBlank()
                    || key.length() > 250
                    || key.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidRequest(
                        "points[" + i + "].key", "must be 1-250 characters without control characters");
            }
            byKey.computeIfAbsent(key, k -> new SeriesBatch())
                    .add(stepOf(point), timestampOf(point, now), point.value());
        }
        return byKey;
    }

    static long stepOf(PointRequest point) {
        return point.step() == null ? 0 : point.step();
    }

    static long timestampOf(PointRequest point, long now) {
        return point.timestamp() == null ? now : point.timestamp();
    }
}
