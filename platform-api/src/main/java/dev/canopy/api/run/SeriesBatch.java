package dev.canopy.api.run;

/**
 * What one ingestion batch adds to one series: point count, extent, and its latest point in MLflow's order
 * (highest step, then timestamp, then value; NaN above every number, as in PostgreSQL).
 */
final class SeriesBatch {

    long count;
    long minStep = Long.MAX_VALUE;
    long maxStep = Long.MIN_VALUE;
    long minTimestamp = Long.MAX_VALUE;
    long maxTimestamp = Long.MIN_VALUE;
    long latestStep;
    long latestTimestamp;
    double latestValue;

    void add(long step, long timestamp, double value) {
        if (count == 0 || isAfterLatest(step, timestamp, value)) {
            latestStep = step;
            latestTimestamp = timestamp;
            latestValue = value;
        }
        count++;
        minStep = Math.min(minStep, step);
        maxStep = Math.max(maxStep, step);
        minTimestamp = Math.min(minTimestamp, timestamp);
        maxTimestamp = Math.max(maxTimestamp, timestamp);
    }

    private boolean isAfterLatest(long step, long timestamp, double value) {
        if (step != latestStep) {
            return step > latestStep;
        }
        if (timestamp != latestTimestamp) {
            return timestamp > latestTimestamp;
        }
        return Double.compare(value, latestValue) > 0;
    }
}
