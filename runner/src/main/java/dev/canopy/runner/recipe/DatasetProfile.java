package dev.canopy.runner.recipe;

import java.util.List;
import java.util.Optional;

/**
 * What the platform's profiler found in a dataset version.
 *
 * @param rowCount data rows (the header not counted)
 * @param columns the columns in CSV order
 */
public record DatasetProfile(long rowCount, List<Column> columns) {

    public DatasetProfile {
        columns = List.copyOf(columns);
    }

    /**
     * One column.
     *
     * @param name the header name
     * @param type {@code NUMERIC}, {@code CATEGORICAL}, {@code TEXT}, {@code DATETIME} or {@code BOOLEAN}
     * @param missing values that are missing (empty or a missing token)
     * @param distinct distinct non-missing values (a lower bound when {@code distinctCapped})
     * @param distinctCapped whether the profiler stopped counting distinct values
     */
    public record Column(String name, String type, long missing, long distinct, boolean distinctCapped) {}

    /** The column of that name, if any. */
    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
