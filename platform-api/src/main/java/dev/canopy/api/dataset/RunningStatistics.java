package dev.canopy.api.dataset;

/**
 * Count, minimum, maximum, mean and sample variance of a stream of numbers in constant memory, using Welford's
 * online algorithm, which stays accurate where the textbook sum-of-squares formula cancels catastrophically. Values
 * near the ends of the double range (1e200, -1e308) do not overflow it: differences are taken of halves, and the
 * sum of squared deviations is kept scaled down by a power of two once a term would overflow.
 */
final class RunningStatistics {

    private long count;
    private double mean;
    /** The sum of squared deviations divided by 2^(2 * shift): exact scaling, powers of two. */
    private double sumOfSquaredDeviations;

    private int shift;

    /** How much the scale grows at a time: squares of doubles reach 2^2048. */
    private static final int SHIFT_STEP = 600;

    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /** Adds a finite number. */
    void add(double value) {
        count++;
        double halfDelta = value / 2 - mean / 2;
        mean += halfDelta / count * 2;
        double halfAfter = value / 2 - mean / 2;
        double term = scaledTerm(halfDelta, halfAfter);
        while (Double.isInfinite(term) || Double.isInfinite(sumOfSquaredDeviations + term)) {
            shift += SHIFT_STEP;
            sumOfSquaredDeviations = Math.scalb(sumOfSquaredDeviations, -2 * SHIFT_STEP);
            term = scaledTerm(halfDelta, halfAfter);
        }
        sumOfSquaredDeviations += term;
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    /** (delta * after) / 2^(2 * shift), from their halves; the product first, as 4 * half could overflow alone. */
    private double scaledTerm(double halfDelta, double halfAfter) {
        return 4 * (Math.scalb(halfDelta, -shift) * Math.scalb(halfAfter, -shift));
    }

    long count() {
        return count;
    }

    /** The smallest number added; meaningless before the first. */
    double min() {
        return min;
    }

    /** The largest number added; meaningless before the first. */
    double max() {
        return max;
    }

    /** The arithmetic mean; meaningless before the first number. */
    double mean() {
        return mean;
    }

    /**
     * The sample standard deviation (divisor n-1); meaningless before the second number; infinite where it passes
     * the largest double.
     */
    double sampleStandardDeviation() {
        return Math.scalb(Math.sqrt(sumOfSquaredDeviations / (count - 1)), shift);
    }
}
