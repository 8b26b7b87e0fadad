package dev.canopy.api.dataset;

import java.util.List;

/**
 * Gathers the profile of one column from its values, one at a time, in memory bounded by the distinct cap and the
 * profiler's memory for distinct values.
 *
 * <p>Values are trimmed; missing ones (see {@link ValueShapes#isMissing}) are only counted. The others are counted
 * by value until {@code distinctCap} distinct values are known; later new values, and a new value that does not fit
 * in the memory {@link DistinctMemory} gives, are neither kept nor counted, so the top categories of a capped column
 * only reflect the values counted.
 *
 * <p>The type is, in this order: {@link ColumnType#TEXT} when there are no values at all; {@link ColumnType#BOOLEAN},
 * {@link ColumnType#NUMERIC} or {@link ColumnType#DATETIME} when every value has that shape (see {@link ValueShapes});
 * {@link ColumnType#CATEGORICAL} when the distinct count is not capped and is at most 50 or at most 5% of the values;
 * {@link ColumnType#TEXT} otherwise. Numeric statistics cover every value, past the cap too.
 */
final class ColumnAccumulator {

    /** A column of at most this many distinct values is categorical, whatever its size. */
    private static final int CATEGORICAL_MAX_DISTINCT = 50;

    /** A larger column is categorical when it has at most one distinct value per this many values. */
    private static final int CATEGORICAL_VALUES_PER_DISTINCT = 20;

    private final String name;
    private final DistinctCounts counts;
    private final RunningStatistics statistics = new RunningStatistics();
    private final CharSlice value = new CharSlice();
    private long missing;
    private long present;
    private boolean allBoolean = true;
    private boolean allNumeric = true;
    private boolean allDatetime = true;

    /** @param memory where the column's distinct values take their memory (see {@link DistinctMemory}) */
    ColumnAccumulator(String name, int distinctCap, DistinctMemory memory) {
        this.name = name;
        this.counts = new DistinctCounts(distinctCap, memory);
    }

    /** Adds one raw field value, given as the first {@code length} chars of {@code chars}. */
    void accept(char[] chars, int length) {
        int start = 0;
        int end = length;
        while (start < end && chars[start] <= ' ') {
            start++;
        }
        while (end > start && chars[end - 1] <= ' ') {
            end--;
        }
        if (start == end) {
            missing++;
            return;
        }
        value.set(chars, start, end - start);
        if (ValueShapes.isMissing(value)) {
            missing++;
        } else {
            present++;
            counts.add(value);
            classify(value);
        }
    }

    /** Adds {@code rows} values that are missing. */
    void acceptMissing(long rows) {
        missing += rows;
    }

    private void classify(CharSequence value) {
        if (allBoolean) {
            allBoolean = ValueShapes.isBoolean(value);
        }
        if (allNumeric) {
            double number = ValueShapes.parseNumber(value);
            allNumeric = !Double.isNaN(number);
            if (allNumeric) {
                statistics.add(number);
            }
        }
        if (allDatetime) {
            allDatetime = ValueShapes.isDatetime(value);
        }
    }

    /** The profile of the values added so far. */
    ColumnProfile profile(int topCategories) {
        ColumnType type = type();
        boolean numeric = type == ColumnType.NUMERIC;
        return new ColumnProfile(
                name,
                type,
                missing,
                counts.size(),
                counts.capped(),
                numeric ? statistics.min() : null,
                numeric ? statistics.max() : null,
                numeric ? statistics.mean() : null,
                // Past the largest double (values spanning more than it): no number to give, rather than "Infinity".
                numeric && statistics.count() > 1 ? finite(statistics.sampleStandardDeviation()) : null,
                type == ColumnType.CATEGORICAL || type == ColumnType.BOOLEAN ? counts.top(topCategories) : List.of());
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private ColumnType type() {
        if (present == 0) {
            return ColumnType.TEXT;
        }
        // A value is never of two of these shapes, so the order of the checks does not matter.
        if (allBoolean) {
            return ColumnType.BOOLEAN;
        }
        if (allNumeric) {
            return ColumnType.NUMERIC;
        }
        if (allDatetime) {
            return ColumnType.DATETIME;
        }
        long distinct = counts.size();
        boolean repetitive =
                distinct <= CATEGORICAL_MAX_DISTINCT || distinct * CATEGORICAL_VALUES_PER_DISTINCT <= present;
        return repetitive && !counts.capped() ? ColumnType.CATEGORICAL : ColumnType.TEXT;
    }
}
