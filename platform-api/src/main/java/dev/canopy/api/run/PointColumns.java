package dev.canopy.api.run;

import java.util.Arrays;

/**
 * The points of one ingestion batch, column by column: no object per point, and one String instance per
 * distinct key run, so that grouping by key is cheap. A missing step is 0; a missing timestamp is
 * {@link #NO_TIMESTAMP} until {@link #fillMissingTimestamps(long)}.
 */
final class PointColumns {

    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    private int size;
    private String[] keys;
    private long[] steps;
    private long[] timestamps;
    private double[] values;

    PointColumns(int capacity) {
        keys = new String[capacity];
        steps = new long[capacity];
        timestamps = new long[capacity];
        values = new double[capacity];
    }

    void add(String key, long step, long timestamp, double value) {
        if (size == keys.length) {
            int capacity = Math.max(16, size * 2);
            keys = Arrays.copyOf(keys, capacity);
            steps = Arrays.copyOf(steps, capacity);
            timestamps = Arrays.copyOf(timestamps, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        keys[size] = key;
        steps[size] = step;
        timestamps[size] = timestamp;
        values[size] = value;
        size++;
    }

    void fillMissingTimestamps(long now) {
        for (int i = 0; i < size; i++) {
            if (timestamps[i] == NO_TIMESTAMP) {
                timestamps[i] = now;
            }
        }
    }

    int size() {
        return size;
    }

    String key(int i) {
        return keys[i];
    }

    long step(int i) {
        return steps[i];
    }

    long timestamp(int i) {
        return timestamps[i];
    }

    double value(int i) {
        return values[i];
    }
}
