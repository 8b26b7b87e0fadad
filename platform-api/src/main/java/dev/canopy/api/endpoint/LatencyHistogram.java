package dev.canopy.api.endpoint;

import java.util.Arrays;
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
        return quantileNanos(q, Counts.EMPTY);
    }

    /** The {@code q} quantile of this histogram and {@code more} together, in nanoseconds (0 when both are empty). */
    double quantileNanos(double q, Counts more) {
        long n = count() + more.total();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i) + more.at(i);
            if (seen >= rank) {
                return MIN_NANOS * Math.pow(GROWTH, i);
            }
        }
        return MIN_NANOS * Math.pow(GROWTH, BUCKETS - 1);
    }

    /** The non-empty buckets now, to be stored or sent. */
    Counts counts() {
        int[] buckets = new int[BUCKETS];
        long[] values = new long[BUCKETS];
        int used = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long value = counts.get(i);
            if (value > 0) {
                buckets[used] = i;
                values[used++] = value;
            }
        }
        return new Counts(Arrays.copyOf(buckets, used), Arrays.copyOf(values, used));
    }

    /**
     * Bucket counts of a histogram of this layout, sparse: {@code buckets[k]} holds {@code values[k]} latencies.
     * Immutable once made.
     */
    static final class Counts {

        static final Counts EMPTY = new Counts(new int[0], new long[0]);

        private final int[] buckets;
        private final long[] values;
        private final long[] dense;
        private final long total;

        Counts(int[] buckets, long[] values) {
            if (buckets.length != values.length) {
                throw new IllegalArgumentException("buckets and values differ in length");
            }
            this.buckets = buckets.clone();
            this.values = values.clone();
            this.dense = new long[BUCKETS];
            long sum = 0;
            for (int k = 0; k < buckets.length; k++) {
                dense[Math.min(Math.max(buckets[k], 0), BUCKETS - 1)] += values[k];
                sum += values[k];
            }
            this.total = sum;
        }

        int[] buckets() {
            return buckets.clone();
        }

        long[] values() {
            return values.clone();
        }

        long total() {
            return total;
        }

        long at(int bucket) {
            return dense[bucket];
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Counts that
                    && Arrays.equals(buckets, that.buckets)
                    && Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(buckets) + Arrays.hashCode(values);
        }

        /** The {@code q} quantile of these counts in nanoseconds (0 when empty). */
        double quantileNanos(double q) {
            return new LatencyHistogram().quantileNanos(q, this);
        }

        /** These counts and {@code other}'s together. */
        Counts plus(Counts other) {
            int[] allBuckets = new int[BUCKETS];
            long[] allValues = new long[BUCKETS];
            int used = 0;
            for (int i = 0; i < BUCKETS; i++) {
                long value = dense[i] + other.dense[i];
                if (value > 0) {
                    allBuckets[used] = i;
                    allValues[used++] = value;
                }
            }
            return new Counts(Arrays.copyOf(allBuckets, used), Arrays.copyOf(allValues, used));
        }
    }
}
