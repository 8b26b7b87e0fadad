package dev.canopy.api.dataset;

/**
 * The kind of values a dataset column holds, as inferred by {@link CsvProfiler} from its non-missing values.
 *
 * <ul>
 *   <li>{@link #NUMERIC}: every value is a decimal number.
 *   <li>{@link #CATEGORICAL}: free values that repeat a lot (few distinct values).
 *   <li>{@link #TEXT}: free values that mostly differ, or a column with no values at all.
 *   <li>{@link #DATETIME}: every value is an ISO-8601 date or date-time.
 *   <li>{@link #BOOLEAN}: every value is {@code true}, {@code false}, {@code yes} or {@code no}, in any case.
 * </ul>
 */
public enum ColumnType {
    NUMERIC,
    CATEGORICAL,
    TEXT,
    DATETIME,
    BOOLEAN
}
