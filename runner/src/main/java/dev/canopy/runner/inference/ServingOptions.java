package dev.canopy.runner.inference;

/**
 * How a {@link ServedModel} serves.
 *
 * @param predictors DJL predictors in the pool, i.e. forward passes that can run at once; at least 1
 * @param batching micro-batching for {@link ServedModel#predict(java.util.List)}; a request can bring its own
 * @param maxRequestRecords the most records one {@link ServedModel#predict} call may hold; at least 1
 */
public record ServingOptions(int predictors, Batching batching, int maxRequestRecords) {

    public ServingOptions {
        if (predictors < 1) {
            throw new IllegalArgumentException("predictors must be at least 1, got " + predictors);
        }
        if (batching == null) {
            throw new IllegalArgumentException("batching must be given");
        }
        if (maxRequestRecords < 1) {
            throw new IllegalArgumentException("maxRequestRecords must be at least 1, got " + maxRequestRecords);
        }
    }

    /** One predictor per available processor, {@link Batching#defaults()}, 10 000 records a request. */
    public static ServingOptions defaults() {
        return new ServingOptions(Runtime.getRuntime().availableProcessors(), Batching.defaults(), 10_000);
    }

    /** These options with batching on or off. */
    public ServingOptions withBatching(boolean on) {
        return new ServingOptions(predictors, batching.withEnabled(on), maxRequestRecords);
    }
}
