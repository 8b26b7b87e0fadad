package dev.canopy.api.endpoint;

import java.util.concurrent.atomic.LongAdder;

/** One version's serving on one endpoint, since this process began serving it there. */
final class ServingStats {

    /** The counts at one moment, or summed over control planes. */
    record Totals(long requests, long errors, long rejected, long predictions, LatencyHistogram.Counts latency) {

        static final Totals NONE = new Totals(0, 0, 0, 0, LatencyHistogram.Counts.EMPTY);

        Totals plus(Totals other) {
            return new Totals(
                    requests + other.requests,
                    errors + other.errors,
                    rejected + other.rejected,
                    predictions + other.predictions,
                    latency.plus(other.latency));
        }
    }

    final LongAdder requests = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder predictions = new LongAdder();
    final LatencyHistogram latency = new LatencyHistogram();

    void succeeded(long nanos, int records) {
        requests.increment();
        predictions.add(records);
        latency.record(nanos);
    }

    void failed(long nanos) {
        requests.increment();
        errors.increment();
        latency.record(nanos);
    }

    void failedUnanswered() {
        requests.increment();
        errors.increment();
    }

    void rejected() {
        rejected.increment();
    }

    /** The counts now. */
    Totals totals() {
        // Errors before requests: read this way, they never exceed them.
        long errorCount = errors.sum();
        return new Totals(
                Math.max(requests.sum(), errorCount), errorCount, rejected.sum(), predictions.sum(), latency.counts());
    }
}
