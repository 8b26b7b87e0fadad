package dev.canopy.api.endpoint;

import java.util.concurrent.atomic.LongAdder;

/** One version's serving on one endpoint, since this process began serving it there. */
final class ServingStats {

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

    void rejected() {
        rejected.increment();
    }
}
