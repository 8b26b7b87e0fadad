package dev.canopy.runner.inference;

/**
 * How a {@link ServedModel} serves.
 *
 * @param predictors DJL predictors in the pool, i.e. forward passes that can run at once; at least 1
 * @param threadsPerPass PyTorch intra-op threads each forward pass runs on ({@link ForwardThreads}); 0 leaves
 *     PyTorch's own count (one per core, for every pass)
 * @param batching micro-batching for {@link ServedModel#predict(java.util.List)}; a request can bring its own
 * @param maxRequestRecords the most records one {@link ServedModel#predict} call may hold; at least 1
 */
public record ServingOptions(int predictors, int threadsPerPass, Batching batching, int maxRequestRecords) {

    public ServingOptions {
        if (predictors < 1) {
            throw new IllegalArgumentException("predictors must be at least 1, got " + predictors);
        }
        if (threadsPerPass < 0) {
            throw new IllegalArgumentException("threadsPerPass must be 0 or more, got " + threadsPerPass);
        }
        if (batching == null) {
            throw new IllegalArgumentException("batching must be given");
        }
        if (maxRequestRecords < 1) {
            throw new IllegalArgumentException("maxRequestRecords must be at least 1, got " + maxRequestRecords);
        }
    }

    /**
     * One predictor per available processor, each pass on {@link #threadsPerPass(int) its share} of them,
     * {@link Batching#defaults()}, 10 000 records a request.
     */
    public static ServingOptions defaults() {
        int predictors = Runtime.getRuntime().availableProcessors();
        return new ServingOptions(predictors, threadsPerPass(predictors), Batching.defaults(), 10_000);
    }

    /**
     * The processors' share of each of {@code predictors} passes running at once, at least 1: passes that together
     * ask for no more threads than there are processors.
     */
    public static int threadsPerPass(int predictors) {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / predictors);
    }

    /** These options with batching on or off. */
    public ServingOptions withBatching(boolean on) {
        return new ServingOptions(predictors, threadsPerPass, batching.withEnabled(on), maxRequestRecords);
    }
}
