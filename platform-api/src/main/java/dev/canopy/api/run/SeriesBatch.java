package dev.canopy.api.run;

import java.util.Arrays;

/**
 * What one ingestion batch adds to one series: which points, their count and extent, and the latest point in
 * MLflow's order (highest step, then timestamp, then value; NaN above every number, as in PostgreSQL).
 */
final class SeriesBatch {

    final String key;
    long seriesId;
    private int[] points = new int[16];
    int count;
    long minStep = Long.MAX_VALUE;
    long maxStep = Long.MIN_VALUE;
    long minTimestamp = Long.MAX_VALUE;
    long maxTimestamp = Long.MIN_VALUE;
    long latestStep;
    long latestTimestamp;
    double latestValue;

    SeriesBatch(String key) {
        this.key = key;
    }

    void add(int index, long step, long timestamp, double value) {
        if (count == points.length) {
            points = Arrays.copyOf(points, count * 2);
        }
        points[count] = index;
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

    /** Indices (into the batch's {@link PointColumns}) of this series' points, ordered by step then timestamp. */
    int[] pointsInOrder(PointColumns columns) {
        int[] ordered = Arrays.copyOf(points, count);
        boolean sorted = true;
        for (int i = 1; i < count && sorted; i++) {
            sorted = compare(columns, ordered[i - 1], ordered[i]) <= 0;
        }
        if (!sorted) {
            Integer[] boxed = Arrays.stream(ordered).boxed().toArray(Integer[]::new);
            Arrays.sort(boxed, (a, b) -> compare(columns, a, b));
            ordered = Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
        }
        return ordered;
    }

    private static int compare(PointColumns columns, int a, int b) {
        int byStep = Long.compare(columns.step(a), columns.step(b));
        return byStep != 0 ? byStep : Long.compare(columns.timestamp(a), columns.timestamp(b));
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
