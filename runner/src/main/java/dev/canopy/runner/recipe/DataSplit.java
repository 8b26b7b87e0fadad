package dev.canopy.runner.recipe;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Row indices of the training, validation and test splits, each in ascending order. Rows are shuffled with the run's
 * seed; the first {@code round(n × testFraction)} go to test, the next {@code round(n × validationFraction)} to
 * validation (at least one row each) and the rest to training.
 */
record DataSplit(int[] train, int[] validation, int[] test) {

    static DataSplit of(int rows, double validationFraction, double testFraction, long seed) {
        int[] order = IntStream.range(0, rows).toArray();
        Seeds.shuffle(order, Seeds.of(seed, Seeds.SPLIT));
        int tests = Math.max(1, (int) Math.round(rows * testFraction));
        int validations = Math.max(1, (int) Math.round(rows * validationFraction));
        return new DataSplit(
                sorted(order, tests + validations, rows),
                sorted(order, tests, tests + validations),
                sorted(order, 0, tests));
    }

    private static int[] sorted(int[] order, int from, int to) {
        int[] part = Arrays.copyOfRange(order, from, to);
        Arrays.sort(part);
        return part;
    }
}
