package dev.canopy.runner.recipe;

import dev.canopy.runner.inference.CellValues;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The label and feature columns of a dataset CSV, held in memory as raw strings, without the rows whose label is
 * missing. Column 0 is the label, then the features in order.
 *
 * @param columns label then feature names
 * @param rows the kept rows, values in {@code columns} order
 * @param rowNumbers for each kept row, its 1-based data row number in the file (the header not counted)
 * @param droppedRows rows left out because their label is missing
 */
record CsvTable(List<String> columns, List<String[]> rows, int[] rowNumbers, int droppedRows) {

    private static final CSVFormat FORMAT = CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .get();

    /** Reads {@code label} and {@code features} from a UTF-8 CSV with a header row. */
    static CsvTable read(Path csv, String label, List<String> features) throws TrainingFailure {
        List<String> columns = new ArrayList<>();
        columns.add(label);
        columns.addAll(features);
        try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(csv, StandardCharsets.UTF_8));
                CSVParser parser = FORMAT.parse(reader)) {
            int[] positions = positions(parser.getHeaderMap(), columns);
            return readRows(parser, columns, positions);
        } catch (IOException | UncheckedIOException e) {
            throw new TrainingFailure("the dataset CSV could not be read: " + e.getMessage(), e);
        }
    }

    /** Takes the kept rows of a CSV one at a time, values in {@code columns} order. */
    @FunctionalInterface
    interface RowHandler {
        void row(String[] row, int rowNumber) throws TrainingFailure;
    }

    /**
     * Streams the rows {@link #read} would keep, without holding them; returns how many were left out because their
     * label is missing.
     */
    static int forEachRow(Path csv, String label, List<String> features, RowHandler handler) throws TrainingFailure {
        List<String> columns = new ArrayList<>();
        columns.add(label);
        columns.addAll(features);
        try (Reader reader = withoutByteOrderMark(Files.newBufferedReader(csv, StandardCharsets.UTF_8));
                CSVParser parser = FORMAT.parse(reader)) {
            return readRows(parser, positions(parser.getHeaderMap(), columns), handler);
        } catch (IOException | UncheckedIOException e) {
            throw new TrainingFailure("the dataset CSV could not be read: " + e.getMessage(), e);
        }
    }

    private static CsvTable readRows(CSVParser parser, List<String> columns, int[] positions) throws TrainingFailure {
        List<String[]> rows = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        int dropped = readRows(parser, positions, (row, number) -> {
            rows.add(row);
            numbers.add(number);
        });
        return new CsvTable(
                columns, rows, numbers.stream().mapToInt(Integer::intValue).toArray(), dropped);
    }

    private static int readRows(CSVParser parser, int[] positions, RowHandler handler) throws TrainingFailure {
        int dropped = 0;
        int rowNumber = 0;
        int headerSize = parser.getHeaderNames().size();
        for (CSVRecord record : parser) {
            rowNumber++;
            if (record.size() != headerSize) {
                throw new TrainingFailure("dataset row " + rowNumber + " has " + record.size()
                        + " fields but the header has " + headerSize);
            }
            if (CellValues.isMissing(record.get(positions[0]))) {
                dropped++;
                continue;
            }
            String[] row = new String[positions.length];
            for (int i = 0; i < positions.length; i++) {
                row[i] = record.get(positions[i]);
            }
            handler.row(row, rowNumber);
        }
        return dropped;
    }

    private static int[] positions(Map<String, Integer> header, List<String> columns) throws TrainingFailure {
        // Names as the profile read them, trimmed ("species, island" names "island").
        Map<String, Integer> trimmed = new HashMap<>();
        if (header != null) {
            header.forEach((name, position) -> trimmed.putIfAbsent(name.trim(), position));
        }
        int[] positions = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            Integer position = trimmed.get(columns.get(i));
            if (position == null) {
                throw new TrainingFailure("column '" + columns.get(i) + "' is not in the dataset's header row");
            }
            positions[i] = position;
        }
        return positions;
    }

    /** Skips a UTF-8 byte order mark, which would otherwise become part of the first column's name. */
    private static Reader withoutByteOrderMark(BufferedReader reader) throws IOException {
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    /** The 1-based data row number of kept row {@code row}, for messages. */
    int rowNumber(int row) {
        return rowNumbers[row];
    }

    /** Column name → position in a row. */
    Map<String, Integer> columnIndex() {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            index.put(columns.get(i), i);
        }
        return index;
    }
}
