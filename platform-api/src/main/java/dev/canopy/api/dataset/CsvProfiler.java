package dev.canopy.api.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates an uploaded CSV dataset and profiles its columns in a single pass over the stream.
 *
 * <p>Memory is bounded, never by the number of rows nor by the width of the file: the file is read in chunks, fields
 * one at a time; each column keeps at most {@code distinctCap} distinct values, and all of them together at most
 * {@code distinctMemory} bytes (see {@link DistinctMemory}: a very wide file, or one of long values, caps some
 * columns' distinct counts sooner); column names are at most {@value #MAX_NAME_LENGTH} characters.
 *
 * <p>The file must be strict UTF-8 CSV (see {@link CsvRecordReader}) whose first record is a header of unique,
 * non-blank names, followed by at least one data record with exactly as many fields. Empty lines are an error
 * except at the end of the file, where they are ignored, and in a one-column file, where they are missing values.
 * Lines of whitespace before the header are an error and a file of nothing else is empty.
 *
 * <p>Types and statistics are inferred as {@link ColumnAccumulator} describes. An instance holds no state between
 * calls and may be shared.
 */
final class CsvProfiler {

    static final int DEFAULT_DISTINCT_CAP = 10_000;
    static final int DEFAULT_TOP_CATEGORIES = 10;

    /** The memory all columns' distinct values may take together: 64 MiB. */
    static final long DEFAULT_DISTINCT_MEMORY = 64L << 20;

    static final int MAX_NAME_LENGTH = 1_000;

    private final int distinctCap;
    private final int topCategories;
    private final long distinctMemory;

    /** A profiler that counts up to 10,000 distinct values per column and reports the 10 most frequent. */
    CsvProfiler() {
        this(DEFAULT_DISTINCT_CAP, DEFAULT_TOP_CATEGORIES);
    }

    /**
     * @param distinctCap how many distinct values per column to count at most (at least 1)
     * @param topCategories how many of the most frequent values to report for categorical and boolean columns
     */
    CsvProfiler(int distinctCap, int topCategories) {
        this(distinctCap, topCategories, DEFAULT_DISTINCT_MEMORY);
    }

    /** @param distinctMemory bytes all columns' distinct values may take together (see {@link DistinctMemory}) */
    CsvProfiler(int distinctCap, int topCategories, long distinctMemory) {
        if (distinctCap < 1 || topCategories < 0 || distinctMemory < 1) {
            throw new IllegalArgumentException("distinctCap and distinctMemory must be positive and topCategories not"
                    + " negative: " + distinctCap + ", " + topCategories + ", " + distinctMemory);
        }
        this.distinctCap = distinctCap;
        this.topCategories = topCategories;
        this.distinctMemory = distinctMemory;
    }

    /**
     * Reads {@code in} to its end, or to the first problem, and profiles it. The stream is not closed.
     *
     * @throws CsvFormatException when the content is not an acceptable CSV dataset; it names the line and problem
     * @throws IOException when reading the stream fails
     */
    DatasetProfile profile(InputStream in) throws IOException, CsvFormatException {
        CsvRecordReader reader = new CsvRecordReader(in);
        List<String> names = readHeader(reader);
        long lineAfterHeader = reader.lineAfterRecord();
        List<ColumnAccumulator> columns = new ArrayList<>(names.size());
        DistinctMemory memory = new DistinctMemory(distinctMemory, names.size());
        for (String name : names) {
            columns.add(new ColumnAccumulator(name, distinctCap, memory));
        }
        long rows = readRows(reader, columns.toArray(ColumnAccumulator[]::new));
        if (rows == 0) {
            throw new CsvFormatException(lineAfterHeader, "the file has a header but no data rows");
        }
        List<ColumnProfile> profiles = new ArrayList<>(columns.size());
        for (ColumnAccumulator column : columns) {
            profiles.add(column.profile(topCategories));
        }
        return new DatasetProfile(rows, profiles);
    }

    private static List<String> readHeader(CsvRecordReader reader) throws IOException, CsvFormatException {
        List<String> names = new ArrayList<>();
        long firstBlankLine = 0;
        boolean firstBlankIsEmpty = false;
        while (true) {
            names.clear();
            int count = reader.readRecord((index, chars, length) -> {
                String name = trim(chars, length);
                if (name.length() > MAX_NAME_LENGTH) {
                    // Checked name by name: a header of long names is refused before it fills memory.
                    throw new CsvFormatException(
                            reader.recordLine(),
                            "column " + (index + 1) + "'s name is longer than " + MAX_NAME_LENGTH + " characters");
                }
                names.add(name);
            });
            if (count < 0) {
                throw new CsvFormatException(1, "the file is empty");
            }
            boolean blank = count == 0 || (count == 1 && names.get(0).isEmpty());
            if (!blank) {
                break;
            }
            // Keep reading: a file of nothing but blank lines is empty rather than malformed.
            if (firstBlankLine == 0) {
                firstBlankLine = reader.recordLine();
                firstBlankIsEmpty = count == 0;
            }
        }
        if (firstBlankLine != 0) {
            throw new CsvFormatException(
                    firstBlankLine, firstBlankIsEmpty ? "empty line" : "column 1 has an empty name");
        }
        checkNames(names, reader.recordLine());
        return names;
    }

    private static void checkNames(List<String> names, long line) throws CsvFormatException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.isEmpty()) {
                throw new CsvFormatException(line, "column " + (i + 1) + " has an empty name");
            }
            if (!seen.add(name)) {
                throw new CsvFormatException(line, "duplicate column name '" + name + "'");
            }
        }
    }

    /** Feeds every data record to the columns and returns how many there were. */
    private static long readRows(CsvRecordReader reader, ColumnAccumulator[] columns)
            throws IOException, CsvFormatException {
        CsvRecordReader.FieldSink sink = (index, chars, length) -> {
            // Surplus fields are only counted by the reader; the row is rejected once it ends.
            if (index < columns.length) {
                columns[index].accept(chars, length);
            }
        };
        long rows = 0;
        long pendingEmptyLines = 0;
        long firstEmptyLine = 0;
        int count;
        while ((count = reader.readRecord(sink)) >= 0) {
            if (count == 0) {
                // Whether an empty line is an error depends on what follows it: trailing ones are ignored.
                if (pendingEmptyLines++ == 0) {
                    firstEmptyLine = reader.recordLine();
                }
                continue;
            }
            if (pendingEmptyLines > 0) {
                rows += emptyLinesAsRows(columns, pendingEmptyLines, firstEmptyLine);
                pendingEmptyLines = 0;
            }
            checkFieldCount(count, columns.length, reader.recordLine());
            rows++;
        }
        return rows;
    }

    private static void checkFieldCount(int count, int columns, long line) throws CsvFormatException {
        if (count != columns) {
            String fields = count == 1 ? "1 field" : count + " fields";
            throw new CsvFormatException(line, "row has " + fields + ", the header has " + columns);
        }
    }

    /** Empty lines inside the data are rows of one missing value in a one-column file, and an error otherwise. */
    private static long emptyLinesAsRows(ColumnAccumulator[] columns, long emptyLines, long firstEmptyLine)
            throws CsvFormatException {
        if (columns.length != 1) {
            throw new CsvFormatException(firstEmptyLine, "empty line");
        }
        columns[0].acceptMissing(emptyLines);
        return emptyLines;
    }

    private static String trim(char[] chars, int length) {
        return new String(chars, 0, length).trim();
    }
}
