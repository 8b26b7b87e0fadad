package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.CellValues;
import dev.canopy.runner.inference.ModelSpec.Kind;

/** Reads typed values from a {@link CsvTable}, failing with the column and row when the data does not fit. */
final class TableValues {

    private TableValues() {}

    /**
     * The value of a NUMERIC (a number) or BOOLEAN (1/0) cell, NaN when it is missing.
     *
     * @throws TrainingFailure when the cell holds something else, e.g. text in a column profiled as NUMERIC
     */
    static double number(CsvTable table, int row, int column, Kind kind) throws TrainingFailure {
        String raw = table.rows().get(row)[column];
        if (CellValues.isMissing(raw)) {
            return Double.NaN;
        }
        double value = kind == Kind.BOOLEAN ? CellValues.parseBoolean(raw) : CellValues.parseNumber(raw);
        if (Double.isNaN(value)) {
            String expected = kind == Kind.BOOLEAN ? "true, false, yes or no" : "a number";
            throw badValue(table, row, column, "must be " + expected + ", got '" + raw + "'");
        }
        return value;
    }

    /** A failure naming the column and the 1-based data row of the file. */
    static TrainingFailure badValue(CsvTable table, int row, int column, String problem) {
        return new TrainingFailure("column '" + table.columns().get(column) + "', dataset row " + table.rowNumber(row)
                + ": " + problem + "; fix the data or leave the column out of features");
    }
}
