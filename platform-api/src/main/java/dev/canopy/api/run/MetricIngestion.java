package dev.canopy.api.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.config.WellFormedText;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.PayloadTooLarge;
import dev.canopy.api.run.MetricRecords.IngestResponse;
import dev.canopy.api.team.TeamAccess;
import dev.canopy.api.team.TeamScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Metric ingestion, a whole batch in one transaction: points are COPYed into PostgreSQL while the body is still
 * being parsed ({@link PointCopy}), then block summaries, new series and series bookkeeping (count, extent,
 * latest value) follow. A batch id is claimed in the same transaction, so a retried batch is applied once or not
 * at all. The run stays locked meanwhile: batches of one run apply one after the other.
 */
@ApplicationScoped
class MetricIngestion {

    /**
     * Prefix of the batch ids of what runners report (an epoch's metrics, the test metrics), which clients may not
     * use: a client's batch of the same id would make the runner's count as a repeat, and its metrics go missing.
     */
    static final String RUNNER_BATCHES = "canopy:";

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

    @Inject
    ObjectMapper mapper;

    @Transactional
    IngestResponse ingest(String team, UUID runId, byte[] body) {
        TeamScope scope = access.write(team);
        runs.requireRunningForWrite(scope, runId);
        return entityManager.unwrap(Session.class).doReturningWork(connection -> write(connection, runId, body));
    }

    private IngestResponse write(Connection connection, UUID runId, byte[] body) throws SQLException {
        Batch batch = new Batch(connection, runId, store.seriesOf(connection, runId), System.currentTimeMillis());
        try {
            if (!new MetricBatchReader(mapper.getFactory()).read(body, batch)) {
                throw new InvalidRequest("points", "is required");
            }
            batch.copy.finish();
        } catch (DuplicateBatch duplicate) {
            batch.copy.cancel();
            return new IngestResponse(0, true);
        } catch (JsonProcessingException e) {
            // Malformed JSON, or a field given twice: the caller's mistake, said as for every request body.
            batch.copy.cancel();
            throw new InvalidRequest("body", malformed(e));
        } catch (IOException e) {
            batch.copy.cancel();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            batch.copy.cancel();
            throw e;
        }
        if (batch.batchId != null && !batch.claimed && !store.claimBatch(connection, runId, batch.batchId)) {
            // The id came after the points, which are written already: undo them.
            QuarkusTransaction.setRollbackOnly();
            return new IngestResponse(0, true);
        }
        complete(connection, runId, batch.points, batch.copy);
        return new IngestResponse(batch.points.size(), false);
    }

    private static String malformed(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        int newline = original.indexOf('\n');
        return "malformed JSON"
                + (e.getLocation() == null
                        ? ""
                        : " at line " + e.getLocation().getLineNr() + ", column "
                                + e.getLocation().getColumnNr())
                + (original.isEmpty() ? "" : ": " + (newline < 0 ? original : original.substring(0, newline)));
    }

    /**
     * Records metric values a runner reported (one point per key at {@code step}), in the caller's transaction;
     * the caller has checked the run and its attempt. Returns false if {@code batchId} was recorded before.
     */
    boolean record(UUID runId, String batchId, long step, Map<String, Double> values) {
        return entityManager.unwrap(Session.class).doReturningWork(connection -> {
            if (!store.claimBatch(connection, runId, batchId)) {
                return false;
            }
            PointColumns points = new PointColumns(values.size());
            long now = System.currentTimeMillis();
            values.forEach((key, value) -> points.add(key, step, now, value));
            PointCopy copy = new PointCopy(connection, store.seriesOf(connection, runId));
            for (int i = 0; i < points.size(); i++) {
                copy.write(copy.seriesId(points.key(i)), step, now, points.value(i));
            }
            copy.finish();
            complete(connection, runId, points, copy);
            return true;
        });
    }

    /** After the points: the series they created, their block summaries and the series bookkeeping. */
    private void complete(Connection connection, UUID runId, PointColumns points, PointCopy copy) throws SQLException {
        List<SeriesBatch> series = bySeries(points, copy.ids());
        store.insertSeries(connection, runId, copy.created());
        store.copyBlocks(connection, points, series);
        store.updateSeries(connection, series);
    }

    /** Thrown from inside the reader to stop at a batch id the run has seen before. */
    private static final class DuplicateBatch extends RuntimeException {
        DuplicateBatch() {
            super(null, null, false, false);
        }
    }

    /** The batch as it streams in: each point is checked, kept for the summaries and handed to COPY at once. */
    private final class Batch implements MetricBatchReader.Sink {

        final PointColumns points = new PointColumns(1024);
        final PointCopy copy;
        private final Connection connection;
        private final UUID runId;
        private final long now;
        String batchId;
        boolean claimed;
        private String lastKey;

        Batch(Connection connection, UUID runId, Map<String, Long> existingSeries, long now) throws SQLException {
            this.connection = connection;
            this.runId = runId;
            this.copy = new PointCopy(connection, existingSeries);
            this.now = now;
        }

        @Override
        public void batchId(String id) {
            if (id.isEmpty() || id.length() > 100) {
                throw new InvalidRequest("batchId", "must be 1-100 characters");
            }
            if (WellFormedText.hasUnpairedSurrogate(id)) {
                // Stored as '?', it would be another batch's id too: that batch would be dropped as a retry.
                throw new InvalidRequest("batchId", WellFormedText.RULE);
            }
            if (id.startsWith(RUNNER_BATCHES)) {
                throw new InvalidRequest(
                        "batchId", "must not start with '" + RUNNER_BATCHES + "': kept for the runners' own batches");
            }
            batchId = id;
            if (points.size() == 0) {
                claimed = true;
                if (!sql(() -> store.claimBatch(connection, runId, id))) {
                    throw new DuplicateBatch();
                }
            }
        }

        @Override
        public void point(String key, long step, long timestamp, double value) {
            if (points.size() == config.maxBatchPoints()) {
                throw new PayloadTooLarge("A batch may carry at most " + config.maxBatchPoints() + " points");
            }
            long at = timestamp == PointColumns.NO_TIMESTAMP ? now : timestamp;
            if (key != lastKey && !copy.ids().containsKey(key)) {
                checkKey(key, points.size());
                if (copy.ids().size() >= config.maxSeriesPerRun()) {
                    // Every batch and every view of the run reads all its keys: they must stay few.
                    throw new InvalidRequest(
                            "points[" + points.size() + "].key",
                            "'" + key + "' would be metric key " + (copy.ids().size() + 1) + " of the run; a run may"
                                    + " have at most " + config.maxSeriesPerRun() + " (canopy.metrics"
                                    + ".max-series-per-run): log more values under the keys it has");
                }
            }
            lastKey = key;
            points.add(key, step, at, value);
            sql(() -> {
                copy.write(copy.seriesId(key), step, at, value);
                return null;
            });
        }
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private static <T> T sql(SqlWork<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new IllegalStateException("Metric ingestion failed in the database", e);
        }
    }

    /** Groups the batch by key; every key has its series id by now. */
    private static List<SeriesBatch> bySeries(PointColumns points, Map<String, Long> ids) {
        Map<String, SeriesBatch> byKey = new HashMap<>();
        List<SeriesBatch> series = new ArrayList<>();
        SeriesBatch last = null;
        for (int i = 0; i < points.size(); i++) {
            String key = points.key(i);
            if (last == null || !last.key.equals(key)) {
                last = byKey.get(key);
                if (last == null) {
                    last = new SeriesBatch(key);
                    last.seriesId = ids.get(key);
                    byKey.put(key, last);
                    series.add(last);
                }
            }
            last.add(i, points.step(i), points.timestamp(i), points.value(i));
        }
        return series;
    }

    private static void checkKey(String key, int index) {
        if (!Keys.valid(key)) {
            throw new InvalidRequest("points[" + index + "].key", "must be " + Keys.RULE);
        }
    }
}
