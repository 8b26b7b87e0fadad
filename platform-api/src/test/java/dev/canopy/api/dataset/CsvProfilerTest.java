package dev.canopy.api.dataset;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.canopy.api.dataset.ColumnProfile.CategoryCount;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvProfilerTest {

    private static final double TOLERANCE = 1e-12;

    @Test
    void profilesEveryColumnTypeOfASmallMixedFile() throws Exception {
        DatasetProfile profile = profile(
                """
                id,score,active,joined,color,comment
                1,2,true,2024-01-05,red,
                2,4,false,2024-01-06T10:15:30Z,blue,NA
                3,4,yes,2024-02-29 08:00,red,null
                4,4,No,2023-12-31T23:59:59.123+02:00,green,\s
                5, 5 ,TRUE,2024-03-01,red,N/A
                6,5,false,2024-03-02 12:30:00-05:00, blue,None
                7,7,NA,,red,NULL
                8,9,true,2024-03-04T00:00,,nan
                """);

        assertEquals(8, profile.rowCount());
        List<ColumnProfile> columns = profile.columns();
        assertEquals(6, columns.size());
        // id is 1..8: mean 4.5, squared deviations sum to 2 * (0.25 + 2.25 + 6.25 + 12.25) = 42, 42 / 7 = 6.
        assertColumn(numeric("id", 0, 8, 1.0, 8.0, 4.5, Math.sqrt(6)), columns.get(0));
        // score is 2,4,4,4,5,5,7,9: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32.
        assertColumn(numeric("score", 0, 5, 2.0, 9.0, 5.0, Math.sqrt(32.0 / 7)), columns.get(1));
        assertColumn(
                categories(
                        "active",
                        ColumnType.BOOLEAN,
                        1,
                        5,
                        List.of(
                                count("false", 2),
                                count("true", 2),
                                count("No", 1),
                                count("TRUE", 1),
                                count("yes", 1))),
                columns.get(2));
        assertColumn(plain("joined", ColumnType.DATETIME, 1, 7), columns.get(3));
        assertColumn(
                categories(
                        "color",
                        ColumnType.CATEGORICAL,
                        1,
                        3,
                        List.of(count("red", 4), count("blue", 2), count("green", 1))),
                columns.get(4));
        assertColumn(plain("comment", ColumnType.TEXT, 8, 0), columns.get(5));
    }

    @Test
    void readsQuotedFieldsWithCommasEscapedQuotesAndLineBreaks() throws Exception {
        DatasetProfile profile =
                profile("name,quote,n\n\"Smith, John\",\"He said \"\"hi\"\"\",1\n\"multi\nline\",plain,2\n");

        assertEquals(2, profile.rowCount());
        assertEquals(
                List.of(count("Smith, John", 1), count("multi\nline", 1)),
                profile.columns().get(0).topCategories());
        assertEquals(
                List.of(count("He said \"hi\"", 1), count("plain", 1)),
                profile.columns().get(1).topCategories());
        assertEquals(ColumnType.NUMERIC, profile.columns().get(2).type());
    }

    @Test
    void countsLineBreaksInsideQuotedFieldsWhenNamingALaterLine() {
        CsvFormatException error = rejects("name,quote,n\n\"Smith, John\",\"x\",1\n\"multi\nline\",plain,2\nx,y\n");

        assertEquals(5, error.line());
        assertEquals("row has 2 fields, the header has 3", error.problem());
        assertEquals("line 5: row has 2 fields, the header has 3", error.getMessage());
    }

    @Test
    void acceptsCrLfLineEndsInsideAndOutsideQuotes() throws Exception {
        DatasetProfile profile = profile("a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n");

        assertEquals(2, profile.rowCount());
        assertEquals(
                List.of(count("x", 1), count("y\r\nz", 1)),
                profile.columns().get(1).topCategories());
        assertColumn(
                numeric("a", 0, 2, 1.0, 2.0, 1.5, Math.sqrt(0.5)),
                profile.columns().get(0));
    }

    @Test
    void acceptsAFinalRecordWithoutLineBreak() throws Exception {
        DatasetProfile profile = profile("a,b\n1,x\n2,\"y\"");

        assertEquals(2, profile.rowCount());
        assertEquals(
                List.of(count("x", 1), count("y", 1)), profile.columns().get(1).topCategories());
    }

    @Test
    void ignoresEmptyLinesAtTheEnd() throws Exception {
        assertEquals(2, profile("a,b\n1,x\n2,y\n\n\r\n\n").rowCount());
    }

    @Test
    void skipsAByteOrderMark() throws Exception {
        DatasetProfile profile = profile(bytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "a,b\n1,2\n"));

        assertEquals("a", profile.columns().get(0).name());
        assertEquals(1, profile.rowCount());
    }

    @Test
    void trimsHeaderNames() throws Exception {
        DatasetProfile profile = profile(" a ,\tb\n1,2\n");

        assertEquals(
                List.of("a", "b"),
                profile.columns().stream().map(ColumnProfile::name).toList());
    }

    @Test
    void treatsEmptyLinesOfAOneColumnFileAsMissingValues() throws Exception {
        DatasetProfile profile = profile("x\n1\n\n\n2\n\n");

        assertEquals(4, profile.rowCount());
        assertColumn(
                numeric("x", 2, 2, 1.0, 2.0, 1.5, Math.sqrt(0.5)),
                profile.columns().get(0));
    }

    @Test
    void parsesTheSameWhenTheStreamDeliversOneByteAtATime() throws Exception {
        byte[] csv = bytes(
                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "name,\"quote\",n\r\n\"a,\"\"b\"\"\",\"x\r\ny\",1\r\n\"\"\"\"\"\",é€𝄞,2\r\nplain,\"\",3");

        DatasetProfile whole = profile(csv);
        DatasetProfile trickled = new CsvProfiler().profile(new OneByteAtATime(csv));

        assertEquals(whole, trickled);
        assertEquals(
                List.of(count("\"\"", 1), count("a,\"b\"", 1), count("plain", 1)),
                trickled.columns().get(0).topCategories());
        assertEquals(
                List.of(count("x\r\ny", 1), count("é€𝄞", 1)),
                trickled.columns().get(1).topCategories());
        assertEquals(1, trickled.columns().get(1).missing());
    }

    @Test
    void namesTheSameErrorLineWhenTheStreamDeliversOneByteAtATime() {
        byte[] csv = "a,b\r\n\"1\n2\",x\r\n3,\"y\"\"\"\r\n4,z\r5\n".getBytes(UTF_8);

        CsvFormatException error =
                assertThrows(CsvFormatException.class, () -> new CsvProfiler().profile(new OneByteAtATime(csv)));

        assertEquals("line 5: stray carriage return", error.getMessage());
    }

    @Test
    void rejectsRaggedRowNamingItsLine() {
        assertRejected("a,b,c\n1,2,3\n4,5\n", 3, "row has 2 fields, the header has 3");
        assertRejected("a,b\n1,2\n4,5,6\n", 3, "row has 3 fields, the header has 2");
        assertRejected("a,b\n1,2\n  \n", 3, "row has 1 field, the header has 2");
    }

    @Test
    void rejectsUnterminatedQuoteNamingTheLineWhereItStarts() {
        assertRejected("a,b\n1,2\n3,\"abc\n4,5\n6,7\n", 3, "unterminated quoted field");
    }

    @Test
    void rejectsQuoteInsideUnquotedField() {
        assertRejected("a,b\n1,2\n3,ab\"c\n", 3, "unexpected quote in unquoted field");
        assertRejected("a,b\n1, \"2\"\n", 2, "unexpected quote in unquoted field");
    }

    @Test
    void rejectsCharacterAfterClosingQuote() {
        assertRejected("a,b\n\"ab\"c,1\n", 2, "unexpected character after closing quote");
        assertRejected("a,b\n\"ab\" ,1\n", 2, "unexpected character after closing quote");
    }

    @Test
    void rejectsStrayCarriageReturn() {
        assertRejected("a,b\n1,x\ry\n", 2, "stray carriage return");
        assertRejected("a,b\n1,\"x\"\r", 2, "stray carriage return");
    }

    @Test
    void rejectsInvalidUtf8NamingItsLine() {
        byte[] content = bytes("a,b\n1,2\n3,caf".getBytes(UTF_8), new byte[] {(byte) 0xC3, 0x28}, "\n".getBytes(UTF_8));

        assertRejected(content, 3, "not valid UTF-8 text (is this a binary file?)");
    }

    @Test
    void rejectsUtf8SequenceCutOffByTheEndOfTheFile() {
        byte[] content = bytes("a,b\n1,2\n3,".getBytes(UTF_8), new byte[] {(byte) 0xE2, (byte) 0x82});

        assertRejected(content, 3, "not valid UTF-8 text (is this a binary file?)");
    }

    @Test
    void acceptsMultiByteCharactersAcrossChunkBoundaries() throws Exception {
        StringBuilder csv = new StringBuilder("word\n");
        for (int i = 0; i < 40_000; i++) {
            csv.append("é€𝄞\n");
        }

        DatasetProfile profile = profile(csv.toString());

        assertEquals(40_000, profile.rowCount());
        assertEquals(List.of(count("é€𝄞", 40_000)), profile.columns().get(0).topCategories());
    }

    @Test
    void rejectsPngHeaderAsBinary() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R'};

        assertRejected(png, 1, "not valid UTF-8 text (is this a binary file?)");
    }

    @Test
    void rejectsNulByte() {
        assertRejected("a,b\n1,2\n3,\0\n", 3, "contains a NUL byte (is this a binary file?)");
        assertRejected("a,b\n1,\"x\0\"\n", 2, "contains a NUL byte (is this a binary file?)");
    }

    @Test
    void rejectsEmptyFile() {
        assertRejected("", 1, "the file is empty");
        assertRejected(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, 1, "the file is empty");
        assertRejected("\n\r\n \n\t\n", 1, "the file is empty");
    }

    @Test
    void rejectsHeaderWithoutDataRowsNamingTheLineAfterIt() {
        assertRejected("a,b\n", 2, "the file has a header but no data rows");
        assertRejected("a,b", 2, "the file has a header but no data rows");
        assertRejected("\"a\nb\",c\n\n", 3, "the file has a header but no data rows");
    }

    @Test
    void rejectsEmptyHeaderName() {
        assertRejected("a,,c\n1,2,3\n", 1, "column 2 has an empty name");
        assertRejected("a, \n1,2\n", 1, "column 2 has an empty name");
        assertRejected(" \na,b\n1,2\n", 1, "column 1 has an empty name");
    }

    @Test
    void rejectsDuplicateHeaderNameAfterTrimming() {
        assertRejected("a,b,a\n1,2,3\n", 1, "duplicate column name 'a'");
        assertRejected("a,b, b\n1,2,3\n", 1, "duplicate column name 'b'");
    }

    @Test
    void rejectsEmptyLineInTheMiddle() {
        assertRejected("a,b\n1,2\n\n3,4\n", 3, "empty line");
        assertRejected("\na,b\n1,2\n", 1, "empty line");
    }

    @Test
    void rejectsOverlongField() {
        String field = "x".repeat(CsvRecordReader.MAX_FIELD_LENGTH + 1);

        assertRejected("a,b\n1,2\n3," + field + "\n", 3, "field longer than 1048576 characters");
        assertRejected("a,b\n1,2\n3,\"" + field + "\"\n", 3, "field longer than 1048576 characters");
    }

    @Test
    void acceptsFieldOfExactlyTheMaximumLength() throws Exception {
        String field = "x".repeat(CsvRecordReader.MAX_FIELD_LENGTH);

        assertEquals(1, profile("a,b\n1," + field + "\n").rowCount());
    }

    @Test
    void rejectsMoreThanTenThousandColumns() {
        StringBuilder header = new StringBuilder("c0");
        for (int i = 1; i <= CsvRecordReader.MAX_FIELDS; i++) {
            header.append(",c").append(i);
        }

        assertRejected(header + "\n", 1, "more than 10000 columns");
    }

    @Test
    void stopsCountingDistinctValuesAtTheCap() throws Exception {
        String csv = "flag,num\ntrue,1\nTrue,2\ntrue,3\nTRUE,4\nyes,5\nno,6\nYES,7\nNo,8\ntrue,1\n";

        DatasetProfile profile = new CsvProfiler(5, 10).profile(stream(csv.getBytes(UTF_8)));

        // YES and No come after the cap of 5 distinct values, so they are not counted.
        assertColumn(
                new ColumnProfile(
                        "flag",
                        ColumnType.BOOLEAN,
                        0,
                        5,
                        true,
                        null,
                        null,
                        null,
                        null,
                        List.of(count("true", 3), count("TRUE", 1), count("True", 1), count("no", 1), count("yes", 1))),
                profile.columns().get(0));
        // 1..8 and 1 again: mean 37/9; sum of squares 205, so the squared deviations sum to 205 - 37^2/9 = 476/9.
        assertColumn(
                new ColumnProfile(
                        "num", ColumnType.NUMERIC, 0, 5, true, 1.0, 8.0, 37.0 / 9, Math.sqrt(476.0 / 72), List.of()),
                profile.columns().get(1));
    }

    @Test
    void keepsTheColumnsDistinctValuesWithinTheProfilersMemory() throws Exception {
        StringBuilder csv = new StringBuilder("id,kind,a,b\n");
        for (int i = 0; i < 5_000; i++) {
            csv.append("row-")
                    .append(i)
                    .append(',')
                    .append(i % 2 == 0 ? "even" : "odd")
                    .append(",x,y\n");
        }

        // 64 KiB for four columns, far less than 5,000 distinct ids take: each column has 8 KiB of its own, and the
        // ids take the 32 KiB pool on top, which the columns of few values never need.
        DatasetProfile profile = new CsvProfiler(10_000, 10, 64 << 10)
                .profile(stream(csv.toString().getBytes(UTF_8)));

        ColumnProfile ids = profile.columns().get(0);
        assertTrue(ids.distinctCapped());
        // More than an equal quarter (16 KiB) could hold, fewer than 5,000.
        assertTrue(ids.distinct() > 400 && ids.distinct() < 1_000, "distinct " + ids.distinct());
        assertEquals(ColumnType.TEXT, ids.type());
        // A column of few values fits in its share whatever the other column holds.
        assertColumn(
                new ColumnProfile(
                        "kind",
                        ColumnType.CATEGORICAL,
                        0,
                        2,
                        false,
                        null,
                        null,
                        null,
                        null,
                        List.of(count("even", 2_500), count("odd", 2_500))),
                profile.columns().get(1));
    }

    @Test
    void countsALongValueOnlyWhenItFitsInTheColumnsShareOfMemory() throws Exception {
        String csv = "c\n" + "x".repeat(100_000) + "\nshort\nshort\n";

        DatasetProfile profile = new CsvProfiler(10_000, 10, 64 << 10).profile(stream(csv.getBytes(UTF_8)));

        assertColumn(
                new ColumnProfile("c", ColumnType.TEXT, 0, 1, true, null, null, null, null, List.of()),
                profile.columns().get(0));
    }

    @Test
    void refusesAColumnNameLongerThanAThousandCharacters() {
        assertRejected("a," + "n".repeat(1_001) + "\n1,2\n", 1, "column 2's name is longer than 1000 characters");
    }

    @Test
    void makesACappedColumnTextBecauseItsDistinctCountIsUnknown() throws Exception {
        DatasetProfile profile = new CsvProfiler(2, 10).profile(stream("c\na\nb\nc\na\n".getBytes(UTF_8)));

        assertColumn(
                new ColumnProfile("c", ColumnType.TEXT, 0, 2, true, null, null, null, null, List.of()),
                profile.columns().get(0));
    }

    @Test
    void ordersTopCategoriesByCountThenValueAndKeepsTheRequestedNumber() throws Exception {
        String csv = "v\nd\nb\nc\na\nb\ne\nd\na\nc\nb\nc\n";

        DatasetProfile profile = new CsvProfiler(10_000, 3).profile(stream(csv.getBytes(UTF_8)));

        assertEquals(
                List.of(count("b", 3), count("c", 3), count("a", 2)),
                profile.columns().get(0).topCategories());
        assertEquals(5, profile.columns().get(0).distinct());
    }

    @Test
    void countsValuesWithTheSameHashSeparately() throws Exception {
        // "Aa" and "BB" have the same String hash code.
        DatasetProfile profile = profile("v\nAa\nBB\nAa\n");

        assertEquals(
                List.of(count("Aa", 2), count("BB", 1)),
                profile.columns().get(0).topCategories());
    }

    @Test
    void countsMissingTokensCaseSensitively() throws Exception {
        DatasetProfile profile = profile(
                "id,v\n1,\n2,  \n3,NA\n4,N/A\n5,NaN\n6,nan\n7,null\n8,NULL\n9,None\n10,na\n11,NONE\n12,none\n13,n/a\n");

        assertColumn(
                categories(
                        "v",
                        ColumnType.CATEGORICAL,
                        9,
                        4,
                        List.of(count("NONE", 1), count("n/a", 1), count("na", 1), count("none", 1))),
                profile.columns().get(1));
    }

    @Test
    void makesAColumnOfOnlyMissingValuesText() throws Exception {
        assertColumn(
                plain("v", ColumnType.TEXT, 2, 0),
                profile("id,v\n1,NA\n2,\n").columns().get(1));
    }

    @Test
    void acceptsOnlyPlainDecimalNumbersAsNumeric() throws Exception {
        DatasetProfile profile = profile(
                "plain,hex,suffix,infinity,spaced,huge\n1e3,1,1,1,1,1\n-2.5,0x1p3,1d,Infinity,1 2,1e999\n+.5,2,2,2,2,2\n3.,3,3f,3,3,3\n");

        assertColumn(
                numeric("plain", 0, 4, -2.5, 1000.0, (1000 - 2.5 + 0.5 + 3) / 4, sampleStd(1000, -2.5, 0.5, 3)),
                profile.columns().get(0));
        for (ColumnProfile column : profile.columns().subList(1, 6)) {
            assertEquals(ColumnType.CATEGORICAL, column.type(), column.name());
        }
    }

    @Test
    void treatsZeroAndOneAsNumbersNotBooleans() throws Exception {
        assertEquals(
                ColumnType.NUMERIC, profile("b\n0\n1\n1\n").columns().get(0).type());
    }

    @Test
    void rejectsImpossibleDatesAsDatetime() throws Exception {
        DatasetProfile profile = profile("good,bad\n2024-02-29,2024-02-29\n2023-12-31T23:59,2023-02-29\n");

        assertEquals(ColumnType.DATETIME, profile.columns().get(0).type());
        assertEquals(ColumnType.CATEGORICAL, profile.columns().get(1).type());
    }

    @Test
    void makesColumnsOfMoreThanFiftyMostlyUniqueValuesText() throws Exception {
        assertEquals(
                ColumnType.CATEGORICAL, profile(column(50, 50)).columns().get(0).type());
        assertEquals(ColumnType.TEXT, profile(column(51, 51)).columns().get(0).type());
        // Above 50 distinct values, a column is categorical while they are at most 5% of its values.
        assertEquals(
                ColumnType.CATEGORICAL,
                profile(column(61, 1220)).columns().get(0).type());
        assertEquals(ColumnType.TEXT, profile(column(61, 1219)).columns().get(0).type());
    }

    @Test
    void profilesAGeneratedStreamOfAbout200MegabytesInBoundedMemory() throws Exception {
        int rows = 5_500_000;
        GeneratedCsv csv = new GeneratedCsv(rows);

        long start = System.nanoTime();
        DatasetProfile profile = new CsvProfiler().profile(csv);
        double seconds = (System.nanoTime() - start) / 1e9;

        System.out.printf(
                "profiled %,d bytes (%,d rows) in %.2f s: %.1f MB/s%n",
                csv.bytesServed(), rows, seconds, csv.bytesServed() / 1e6 / seconds);
        assertEquals(rows, profile.rowCount());
        ColumnProfile id = profile.columns().get(0);
        assertEquals(ColumnType.NUMERIC, id.type());
        assertEquals(CsvProfiler.DEFAULT_DISTINCT_CAP, id.distinct());
        assertEquals(true, id.distinctCapped());
        assertEquals(rows, id.max());
        assertEquals((rows + 1) / 2.0, id.mean(), 1e-6);
        assertEquals(ColumnType.CATEGORICAL, profile.columns().get(2).type());
        assertEquals(ColumnType.DATETIME, profile.columns().get(3).type());
        assertEquals(ColumnType.BOOLEAN, profile.columns().get(4).type());
    }

    /**
     * Expected values were computed independently with Python's csv module and statistics.fmean/stdev, counting
     * empty fields as missing: species 152 Adelie, 124 Gentoo, 68 Chinstrap; island 168 Biscoe, 124 Dream, 52
     * Torgersen; sex 168 MALE, 165 FEMALE, 1 "." and 10 empty; each measurement 2 empty. The file has CRLF line ends.
     */
    @Test
    void profilesThePenguinsDataset() throws Exception {
        DatasetProfile profile;
        try (InputStream in = getClass().getResourceAsStream("/datasets/penguins.csv")) {
            assertNotNull(in, "datasets/penguins.csv is on the test class path");
            profile = new CsvProfiler().profile(in);
        }

        assertEquals(344, profile.rowCount());
        List<ColumnProfile> columns = profile.columns();
        assertColumn(
                categories(
                        "species",
                        ColumnType.CATEGORICAL,
                        0,
                        3,
                        List.of(count("Adelie", 152), count("Gentoo", 124), count("Chinstrap", 68))),
                columns.get(0));
        assertColumn(
                categories(
                        "island",
                        ColumnType.CATEGORICAL,
                        0,
                        3,
                        List.of(count("Biscoe", 168), count("Dream", 124), count("Torgersen", 52))),
                columns.get(1));
        assertColumn(
                numeric("bill_length_mm", 2, 164, 32.1, 59.6, 43.9219298245614, 5.4595837139265315), columns.get(2));
        assertColumn(
                numeric("bill_depth_mm", 2, 80, 13.1, 21.5, 17.151169590643274, 1.9747931568167814), columns.get(3));
        assertColumn(
                numeric("flipper_length_mm", 2, 55, 172.0, 231.0, 200.91520467836258, 14.061713679356888),
                columns.get(4));
        assertColumn(
                numeric("body_mass_g", 2, 94, 2700.0, 6300.0, 4201.754385964912, 801.9545356980955), columns.get(5));
        assertColumn(
                categories(
                        "sex",
                        ColumnType.CATEGORICAL,
                        10,
                        3,
                        List.of(count("MALE", 168), count("FEMALE", 165), count(".", 1))),
                columns.get(6));
    }

    /** Numbers near the ends of the double range: a finite mean and std where they exist, no std where it would not. */
    @Test
    void profilesNumbersNearTheEndsOfTheDoubleRange() throws Exception {
        DatasetProfile profile = profile("wide,widest\n1e200,1.5e308\n-1e200,-1.5e308\n");

        assertEquals(0.0, profile.columns().get(0).mean());
        assertEquals(Math.sqrt(2) * 1e200, profile.columns().get(0).std(), 1e187);
        assertEquals(0.0, profile.columns().get(1).mean());
        assertNull(profile.columns().get(1).std());
    }

    private static DatasetProfile profile(String csv) throws IOException, CsvFormatException {
        return profile(csv.getBytes(UTF_8));
    }

    private static DatasetProfile profile(byte[] csv) throws IOException, CsvFormatException {
        return new CsvProfiler().profile(stream(csv));
    }

    private static CsvFormatException rejects(String csv) {
        return rejects(csv.getBytes(UTF_8));
    }

    private static CsvFormatException rejects(byte[] csv) {
        return assertThrows(CsvFormatException.class, () -> new CsvProfiler().profile(stream(csv)));
    }

    private static void assertRejected(String csv, long line, String problem) {
        assertRejected(csv.getBytes(UTF_8), line, problem);
    }

    private static void assertRejected(byte[] csv, long line, String problem) {
        CsvFormatException error = rejects(csv);
        assertEquals("line " + line + ": " + problem, error.getMessage());
        assertEquals(line, error.line());
        assertEquals(problem, error.problem());
    }

    /** Compares every component exactly, except mean and std, which may differ from the formula in the last bits. */
    private static void assertColumn(ColumnProfile expected, ColumnProfile actual) {
        assertAll(
                expected.name(),
                () -> assertEquals(expected.name(), actual.name()),
                () -> assertEquals(expected.type(), actual.type()),
                () -> assertEquals(expected.missing(), actual.missing()),
                () -> assertEquals(expected.distinct(), actual.distinct()),
                () -> assertEquals(expected.distinctCapped(), actual.distinctCapped()),
                () -> assertEquals(expected.min(), actual.min()),
                () -> assertEquals(expected.max(), actual.max()),
                () -> assertClose(expected.mean(), actual.mean()),
                () -> assertClose(expected.std(), actual.std()),
                () -> assertEquals(expected.topCategories(), actual.topCategories()));
    }

    private static void assertClose(Double expected, Double actual) {
        if (expected == null) {
            assertNull(actual);
        } else {
            assertNotNull(actual);
            assertEquals(expected, actual, TOLERANCE * Math.max(1, Math.abs(expected)));
        }
    }

    private static ColumnProfile numeric(
            String name, long missing, long distinct, double min, double max, double mean, double std) {
        return new ColumnProfile(name, ColumnType.NUMERIC, missing, distinct, false, min, max, mean, std, List.of());
    }

    private static ColumnProfile categories(
            String name, ColumnType type, long missing, long distinct, List<CategoryCount> top) {
        return new ColumnProfile(name, type, missing, distinct, false, null, null, null, null, top);
    }

    private static ColumnProfile plain(String name, ColumnType type, long missing, long distinct) {
        return new ColumnProfile(name, type, missing, distinct, false, null, null, null, null, List.of());
    }

    private static CategoryCount count(String value, long count) {
        return new CategoryCount(value, count);
    }

    private static double sampleStd(double... values) {
        double mean = 0;
        for (double value : values) {
            mean += value / values.length;
        }
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    /** A one-column CSV of {@code rows} values cycling through the {@code distinct} values w0, w1, .... */
    private static String column(int distinct, int rows) {
        StringBuilder csv = new StringBuilder("w\n");
        for (int i = 0; i < rows; i++) {
            csv.append('w').append(i % distinct).append('\n');
        }
        return csv.toString();
    }

    private static InputStream stream(byte[] content) {
        return new ByteArrayInputStream(content);
    }

    private static byte[] bytes(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(byte[] prefix, String rest) {
        return bytes(prefix, rest.getBytes(UTF_8));
    }

    /**
     * Serves a CSV of {@code rows} generated rows, a 64 KiB buffer at a time, so that the file never exists whole.
     * Row i (from 1) is {@code i,<i % 1000>.<i % 100>,cat<i % 7>,2024-01-<i % 28 + 1>,<true when i is even>}.
     */
    private static final class GeneratedCsv extends InputStream {

        private static final byte[] HEADER = "id,value,cat,day,flag\n".getBytes(UTF_8);
        private static final byte[] CAT_PREFIX = ",cat".getBytes(UTF_8);
        private static final byte[] DAY_PREFIX = ",2024-01-".getBytes(UTF_8);
        private static final byte[] TRUE = ",true\n".getBytes(UTF_8);
        private static final byte[] FALSE = ",false\n".getBytes(UTF_8);
        private static final int LONGEST_ROW = 64;

        private final int rows;
        private final byte[] buffer = new byte[64 * 1024];
        private int nextRow;
        private int position;
        private int limit;
        private long bytesServed;

        GeneratedCsv(int rows) {
            this.rows = rows;
        }

        long bytesServed() {
            return bytesServed;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            if (position == limit && !refill()) {
                return -1;
            }
            int count = Math.min(length, limit - position);
            System.arraycopy(buffer, position, target, offset, count);
            position += count;
            bytesServed += count;
            return count;
        }

        private boolean refill() {
            position = 0;
            limit = 0;
            if (nextRow == 0) {
                put(HEADER);
                nextRow = 1;
            }
            while (nextRow <= rows && limit + LONGEST_ROW <= buffer.length) {
                putRow(nextRow++);
            }
            return limit > 0;
        }

        private void putRow(int i) {
            putNumber(i);
            buffer[limit++] = ',';
            putNumber(i % 1000);
            buffer[limit++] = '.';
            putNumber(i % 100);
            put(CAT_PREFIX);
            putNumber(i % 7);
            put(DAY_PREFIX);
            int day = i % 28 + 1;
            buffer[limit++] = (byte) ('0' + day / 10);
            buffer[limit++] = (byte) ('0' + day % 10);
            put(i % 2 == 0 ? TRUE : FALSE);
        }

        private void putNumber(int value) {
            String digits = Integer.toString(value);
            for (int k = 0; k < digits.length(); k++) {
                buffer[limit++] = (byte) digits.charAt(k);
            }
        }

        private void put(byte[] bytes) {
            System.arraycopy(bytes, 0, buffer, limit, bytes.length);
            limit += bytes.length;
        }
    }

    /** Hands out its content one byte per read, so that every chunk boundary falls between two bytes once. */
    private static final class OneByteAtATime extends InputStream {

        private final byte[] content;
        private int position;

        OneByteAtATime(byte[] content) {
            this.content = content;
        }

        @Override
        public int read() {
            return position < content.length ? content[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] target, int offset, int length) {
            int next = read();
            if (next < 0) {
                return -1;
            }
            target[offset] = (byte) next;
            return 1;
        }
    }
}
