package dev.canopy.runner.inference;

import java.time.Duration;

/**
 * How requests to a served model share forward passes (micro-batching), per request: each endpoint passes its own.
 * A batch holds requests whose settings all allow it: it stops collecting at the smallest {@code maxBatchRecords}
 * and the shortest {@code maxWait} of its requests.
 *
 * @param enabled whether the request may share a forward pass with others; off, it runs a pass of its own at once
 * @param maxBatchRecords the most records in a batch the request joins; 1 to {@value #MAX_BATCH_RECORDS}. A request
 *     larger than this runs alone, never split across batches
 * @param maxWait how long a batch keeps collecting after its first request was taken, when every other predictor is
 *     running a pass as it starts (while one is free it runs at once); zero or positive
 */
public record Batching(boolean enabled, int maxBatchRecords, Duration maxWait) {

    /** The largest maxBatchRecords: the most rows one forward pass takes. */
    public static final int MAX_BATCH_RECORDS = TabularModel.MAX_ROWS_PER_FORWARD;

    public Batching {
        if (maxBatchRecords < 1 || maxBatchRecords > MAX_BATCH_RECORDS) {
            throw new IllegalArgumentException(
                    "maxBatchRecords must be 1-" + MAX_BATCH_RECORDS + ", got " + maxBatchRecords);
        }
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be zero or positive, got " + maxWait);
        }
    }

    /** On, 64 records or 2 ms per batch. */
    public static Batching defaults() {
        return new Batching(true, 64, Duration.ofMillis(2));
    }

    /** These settings, on or off. */
    public Batching withEnabled(boolean on) {
        return new Batching(on, maxBatchRecords, maxWait);
    }
}
