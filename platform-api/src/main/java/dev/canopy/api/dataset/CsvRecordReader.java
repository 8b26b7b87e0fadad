package dev.canopy.api.dataset;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits strict UTF-8 CSV text (RFC 4180, comma separated) into records and hands their fields to a
 * {@link FieldSink} one at a time, so that no record is ever held whole.
 *
 * <p>Records end with LF or CRLF; a CR anywhere else outside quotes is an error. A field starting with a double
 * quote is quoted: it may hold commas, line breaks and doubled quotes, and must be followed by a comma or a line end.
 * A leading UTF-8 byte order mark is skipped. Invalid UTF-8, a NUL character, a field longer than
 * {@value #MAX_FIELD_LENGTH} chars and a record of more than {@value #MAX_FIELDS} fields are errors. Lines are
 * counted physically: a line break inside a quoted field starts a new line.
 */
final class CsvRecordReader {

    static final int MAX_FIELD_LENGTH = 1 << 20;
    static final int MAX_FIELDS = 10_000;

    /** Receives the fields of a record in order; {@code chars} is reused after the call returns. */
    @FunctionalInterface
    interface FieldSink {
        void field(int index, char[] chars, int length) throws CsvFormatException;
    }

    private static final int COMMA = 0;
    private static final int END_OF_LINE = 1;
    private static final int END_OF_INPUT = 2;
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** The chars that end an unquoted run, indexed by char; every one of them is at most ','. */
    private static final boolean[] STOPS_UNQUOTED = new boolean[',' + 1];

    static {
        for (char c : new char[] {',', '\n', '\r', '"', '\0'}) {
            STOPS_UNQUOTED[c] = true;
        }
    }

    private final Utf8ChunkReader source;
    private char[] chunk = new char[0];
    private int position;
    private int limit;
    private boolean firstChunk = true;
    private char[] field = new char[256];
    private int fieldLength;
    private long line = 1;
    private long recordLine;
    private int lastTerminator = END_OF_LINE;

    CsvRecordReader(InputStream in) {
        this.source = new Utf8ChunkReader(in);
    }

    /**
     * Reads the next record, passing each of its fields to {@code sink}.
     *
     * @return the number of fields; 0 for an empty line (one with no chars at all), which is not passed to the
     *     sink; -1 at the end of the input
     */
    int readRecord(FieldSink sink) throws IOException, CsvFormatException {
        if (!ensureChars()) {
            return -1;
        }
        recordLine = line;
        if (consumeLineEnd()) {
            lastTerminator = END_OF_LINE;
            return 0;
        }
        int count = 0;
        do {
            if (count == MAX_FIELDS) {
                throw new CsvFormatException(line, "more than " + MAX_FIELDS + " columns");
            }
            lastTerminator = readField();
            sink.field(count++, field, fieldLength);
        } while (lastTerminator == COMMA);
        return count;
    }

    /** The line on which the last record read starts. */
    long recordLine() {
        return recordLine;
    }

    /** The line after the last record read, where the next record starts or would start had the input not ended. */
    long lineAfterRecord() {
        return lastTerminator == END_OF_INPUT ? line + 1 : line;
    }

    private boolean consumeLineEnd() throws IOException, CsvFormatException {
        char c = chunk[position];
        if (c == '\n') {
            position++;
            line++;
            return true;
        }
        if (c == '\r') {
            position++;
            expectLineFeed();
            return true;
        }
        return false;
    }

    private int readField() throws IOException, CsvFormatException {
        fieldLength = 0;
        if (!ensureChars()) {
            return END_OF_INPUT;
        }
        if (chunk[position] == '"') {
            position++;
            return readQuoted();
        }
        return readUnquoted();
    }

    private int readUnquoted() throws IOException, CsvFormatException {
        while (true) {
            char[] chars = chunk;
            int end = limit;
            int i = position;
            while (i < end) {
                char c = chars[i];
                if (c <= ',' && STOPS_UNQUOTED[c]) {
                    break;
                }
                i++;
            }
            append(chars, position, i - position);
            if (i < end) {
                position = i + 1;
                return unquotedTerminator(chars[i]);
            }
            position = end;
            if (!fill()) {
                return END_OF_INPUT;
            }
        }
    }

    private int unquotedTerminator(char c) throws IOException, CsvFormatException {
        switch (c) {
            case ',':
                return COMMA;
            case '\n':
                line++;
                return END_OF_LINE;
            case '\r':
                expectLineFeed();
                return END_OF_LINE;
            case '"':
                throw new CsvFormatException(line, "unexpected quote in unquoted field");
            default:
                throw nulByte();
        }
    }

    /** Reads a quoted field whose opening quote has been consumed. */
    private int readQuoted() throws IOException, CsvFormatException {
        long startLine = line;
        while (true) {
            if (!ensureChars()) {
                throw new CsvFormatException(startLine, "unterminated quoted field");
            }
            char[] chars = chunk;
            int end = limit;
            int i = position;
            while (i < end && chars[i] != '"' && chars[i] != '\n' && chars[i] != '\0') {
                i++;
            }
            append(chars, position, i - position);
            position = i;
            if (i == end) {
                continue;
            }
            position++;
            if (chars[i] == '\n') {
                line++;
                append(chars, i, 1);
            } else if (chars[i] == '\0') {
                throw nulByte();
            } else if (!ensureChars()) {
                return END_OF_INPUT;
            } else if (chunk[position] == '"') {
                append(chunk, position++, 1);
            } else {
                return afterClosingQuote(chunk[position++]);
            }
        }
    }

    private int afterClosingQuote(char c) throws IOException, CsvFormatException {
        switch (c) {
            case ',':
                return COMMA;
            case '\n':
                line++;
                return END_OF_LINE;
            case '\r':
                expectLineFeed();
                return END_OF_LINE;
            case '\0':
                throw nulByte();
            default:
                throw new CsvFormatException(line, "unexpected character after closing quote");
        }
    }

    /** Consumes the LF that must follow a CR that has just been consumed. */
    private void expectLineFeed() throws IOException, CsvFormatException {
        if (!ensureChars() || chunk[position] != '\n') {
            throw new CsvFormatException(line, "stray carriage return");
        }
        position++;
        line++;
    }

    private void append(char[] chars, int from, int count) throws CsvFormatException {
        int length = fieldLength + count;
        if (length > field.length) {
            if (length > MAX_FIELD_LENGTH) {
                throw new CsvFormatException(line, "field longer than " + MAX_FIELD_LENGTH + " characters");
            }
            char[] larger = new char[Math.min(Math.max(length, 2 * field.length), MAX_FIELD_LENGTH)];
            System.arraycopy(field, 0, larger, 0, fieldLength);
            field = larger;
        }
        System.arraycopy(chars, from, field, fieldLength, count);
        fieldLength = length;
    }

    private boolean ensureChars() throws IOException, CsvFormatException {
        return position < limit || fill();
    }

    /** Replaces the consumed chunk with the next one; false at the end of the input. */
    private boolean fill() throws IOException, CsvFormatException {
        do {
            int count = source.read();
            if (count == Utf8ChunkReader.MALFORMED) {
                throw new CsvFormatException(line, "not valid UTF-8 text (is this a binary file?)");
            }
            if (count == Utf8ChunkReader.END_OF_INPUT) {
                return false;
            }
            chunk = source.chunk();
            limit = count;
            position = firstChunk && chunk[0] == BYTE_ORDER_MARK ? 1 : 0;
            firstChunk = false;
        } while (position == limit);
        return true;
    }

    private CsvFormatException nulByte() {
        return new CsvFormatException(line, "contains a NUL byte (is this a binary file?)");
    }
}
