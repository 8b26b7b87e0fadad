package dev.canopy.runner.inference;

import java.time.Duration;

/**
 * How a {@link ServedModel} serves.
 *
 * @param predictors DJL predictors in the pool, i.e. forward passes that can run at once; at least 1
 * @param batching whether concurrent requests are merged into one forward pass (micro-batching)
 * @param maxBatchRecords batching: a batch stops collecting at this many records; 1 to {@value
 *     TabularModel#MAX_ROWS_PER_FORWARD}. A larger request is run on its own, never split across batches
 * @param maxWait batching: how long a batch keeps collecting after its first request was taken, when another pass
 *     is running as it starts (on an idle pool it runs at once); zero or positive
 * @param maxRequestRecords the most records one {@link ServedModel#predict} call may hold; at least 1
 */
public record ServingOptions(
        int predictors, boolean batching, int maxBatchRecords, Duration maxWait, int maxRequestRecords) {

    public ServingOptions {
        if (predictors < 1) {
            throw new IllegalArgumentException("predictors must be at least 1, got " + predictors);
        }
        if (maxBatchRecords < 1 || maxBatchRecords > TabularModel.MAX_ROWS_PER_FORWARD) {
            throw new IllegalArgumentException(
                    "maxBatchRecords must be 1-" + TabularModel.MAX_ROWS_PER_FORWARD + ", got " + maxBatchRecords);
        }
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be zero or positive, got " + maxWait);
        }
        if (maxRequestRecords < 1) {
            throw new IllegalArgumentException("maxRequestRecords must be at least 1, got " + maxRequestRecords);
        }
    }

    /** One predictor per available processor, batching on, 64 records or 2 ms per batch, 10 000 records a request. */
    public static ServingOptions defaults() {
        return new ServingOptions(Runtime.getRuntime().availableProcessors(), true, 64, Duration.ofMillis(2), 10_000);
    }

    /** These options with batching on or off. */
    public ServingOptions withBatching(boolean on) {
        return new ServingOptions(predictors, on, maxBatchRecords, maxWait, maxRequestRecords);
    }
}
