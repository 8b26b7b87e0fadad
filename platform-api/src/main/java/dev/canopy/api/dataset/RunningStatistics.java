package dev.canopy.api.dataset;

/**
 * Count, minimum, maximum, mean and sample variance of a stream of numbers in constant memory, using Welford's
 * online algorithm, which stays accurate where the textbook sum-of-squares formula cancels catastrophically.
 */
final class RunningStatistics {

    private long count;
    private double mean;
    private double sumOfSquaredDeviations;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /** Adds a finite number. */
    void add(double value) {
        count++;
        double delta = value - mean;
        mean += delta / count;
        sumOfSquaredDeviations += delta * (value - mean);
        min = Math.min(min, value);
        max = Math.max(max, value);
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

    /** The sample standard deviation (divisor n-1); meaningless before the second number. */
    double sampleStandardDeviation() {
        return Math.sqrt(sumOfSquaredDeviations / (count - 1));
    }
}
