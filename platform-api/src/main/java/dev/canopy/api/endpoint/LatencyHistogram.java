package dev.canopy.api.endpoint;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies in log-spaced buckets (about 4 % wide, 1 µs to 100 s), lock-free: quantiles are the upper edge of
 * the bucket they fall in, so they read at most about 4 % high.
 */
final class LatencyHistogram {

    private static final double GROWTH = 1.04;
    private static final double MIN_NANOS = 1_000;
    private static final int BUCKETS = (int) Math.ceil(Math.log(1e11 / MIN_NANOS) / Math.log(GROWTH)) + 1;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder total = new LongAdder();

    void record(long nanos) {
        int bucket = nanos <= MIN_NANOS ? 0 : (int) Math.ceil(Math.log(nanos / MIN_NANOS) / Math.log(GROWTH));
        counts.incrementAndGet(Math.min(bucket, BUCKETS - 1));
        total.increment();
    }

    long count() {
        return total.sum();
    }

    /** The {@code q} quantile in nanoseconds (0 when empty). */
    double quantileNanos(double q) {
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return MIN_NANOS * Math.pow(GROWTH, i);
            }
        }
        return MIN_NANOS * Math.pow(GROWTH, BUCKETS - 1);
    }
}
