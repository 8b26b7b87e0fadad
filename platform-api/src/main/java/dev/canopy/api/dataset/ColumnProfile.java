package dev.canopy.api.dataset;

import java.util.List;

/**
 * Summary of one dataset column.
 *
 * @param name the header name, trimmed
 * @param type the inferred type
 * @param missing how many rows have no value (empty, blank or a missing token such as {@code NA})
 * @param distinct how many distinct non-missing values the column has, exact unless {@code distinctCapped}
 * @param distinctCapped true when counting stopped at the profiler's cap, or when the next value would not fit in
 *     the column's share of the profiler's memory, so that {@code distinct} is a lower bound and the real number is
 *     larger
 * @param min the smallest value; null unless the type is {@link ColumnType#NUMERIC}
 * @param max the largest value; null unless the type is {@link ColumnType#NUMERIC}
 * @param mean the arithmetic mean; null unless the type is {@link ColumnType#NUMERIC}
 * @param std the sample standard deviation (divisor n-1); null unless the type is {@link ColumnType#NUMERIC} and
 *     the column has at least two values
 * @param topCategories the most frequent values, most frequent first and ties by value ascending; empty unless
 *     the type is {@link ColumnType#CATEGORICAL} or {@link ColumnType#BOOLEAN}. When {@code distinctCapped}, only
 *     the values met before the cap was reached were counted, so the list is approximate.
 */
public record ColumnProfile(
        String name,
        ColumnType type,
        long missing,
        long distinct,
        boolean distinctCapped,
        Double min,
        Double max,
        Double mean,
        Double std,
        List<CategoryCount> topCategories) {

    /** Characters of a top category's value shown; a longer one is cut to them and ends with "…". */
    public static final int MAX_SHOWN_CHARS = 100;

    public ColumnProfile {
        topCategories = List.copyOf(topCategories);
    }

    /**
     * One value of a column and the number of rows that hold it.
     *
     * @param value the value, trimmed, exactly as written (case is kept); one longer than {@link #MAX_SHOWN_CHARS}
     *     is cut to them and ends with "…"
     * @param count the number of rows holding it
     */
    public record CategoryCount(String value, long count) {}
}
