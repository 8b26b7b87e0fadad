package dev.canopy.api.dataset;

import java.util.List;

/**
 * Summary of a whole dataset file.
 *
 * @param rowCount the number of data records, the header excluded
 * @param columns one profile per column, in header order
 */
public record DatasetProfile(long rowCount, List<ColumnProfile> columns) {

    public DatasetProfile {
        columns = List.copyOf(columns);
    }
}
