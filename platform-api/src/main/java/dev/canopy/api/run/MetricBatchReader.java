package dev.canopy.api.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.canopy.api.error.InvalidRequest;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * Reads a metric batch ({@code {batchId?, points: [{key, step?, timestamp?, value}]}}) from the token stream and
 * hands each point to a {@link Sink} as soon as it is read, so that ingestion can write while it parses. No object
 * per point. Errors name the field: {@code points[3].value}; a field the batch does not have, and text after it, are
 * refused as in every request body. Malformed JSON (a field given twice too) surfaces as Jackson's exception.
 */
final class MetricBatchReader {

    /** Receives a batch as it is read. */
    interface Sink {

        void batchId(String batchId);

        /** {@code timestamp} is {@link PointColumns#NO_TIMESTAMP} when the point has none. */
        void point(String key, long step, long timestamp, double value);
    }

    private final JsonFactory json;

    MetricBatchReader(JsonFactory json) {
        this.json = json;
    }

    /** Reads the batch; returns whether it had a {@code points} array. */
    boolean read(byte[] body, Sink sink) throws IOException {
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRequest("body", "must be a JSON object with a 'points' array");
            }
            boolean hasPoints = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("batchId".equals(field) && value != JsonToken.VALUE_NULL) {
                    sink.batchId(text(parser, value, "batchId"));
                } else if ("points".equals(field) && value != JsonToken.VALUE_NULL) {
                    points(parser, value, sink);
                    hasPoints = true;
                } else if (!"batchId".equals(field) && !"points".equals(field)) {
                    // As every request body: a misspelt batchId would make a retried batch count twice.
                    throw new InvalidRequest(field, UNKNOWN + "batchId, points");
                }
            }
            if (parser.nextToken() != null) {
                throw new InvalidRequest("body", "text after the JSON value");
            }
            return hasPoints;
        }
    }

    private static void points(JsonParser parser, JsonToken token, Sink sink) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            throw new InvalidRequest("points", "must be an array of points");
        }
        String lastKey = null;
        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
            lastKey = point(parser, i, sink, lastKey);
        }
    }

    /** Reads one point; returns its key, reusing {@code lastKey}'s instance when equal so grouping is cheap. */
    private static String point(JsonParser parser, int index, Sink sink, String lastKey) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new InvalidRequest(path(index, null), "must be an object with key, step, timestamp and value");
        }
        String key = null;
        long step = 0;
        long timestamp = PointColumns.NO_TIMESTAMP;
        double value = 0;
        boolean hasValue = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (field) {
                case "key" -> key = text(parser, token, index, "key");
                case "step" -> step = token == JsonToken.VALUE_NULL ? 0 : integer(parser, token, index, "step");
                case "timestamp" -> timestamp = timestamp(parser, token, index);
                case "value" -> {
                    value = value(parser, token, index);
                    hasValue = true;
                }
                default -> throw new InvalidRequest(path(index, field), UNKNOWN + "key, step, timestamp, value");
            }
        }
        if (key == null) {
            throw new InvalidRequest(path(index, "key"), "is required");
        }
        if (!hasValue) {
            throw new InvalidRequest(path(index, "value"), VALUE_RULE);
        }
        key = key.equals(lastKey) ? lastKey : key;
        sink.point(key, step, timestamp, value);
        return key;
    }

    private static final String UNKNOWN = "is not a field here; the fields are ";

    private static final String VALUE_RULE = "must be a number, \"NaN\", \"Infinity\" or \"-Infinity\"";

    /** The field's path for error details, e.g. {@code points[3].value}; built only when there is an error. */
    private static String path(int index, String field) {
        return index < 0 ? field : "points[" + index + "]" + (field == null ? "" : "." + field);
    }

    private static String text(JsonParser parser, JsonToken token, String field) throws IOException {
        return text(parser, token, -1, field);
    }

    private static String text(JsonParser parser, JsonToken token, int index, String field) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw new InvalidRequest(path(index, field), "must be a string");
        }
        return parser.getText();
    }

    private static long integer(JsonParser parser, JsonToken token, int index, String field) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new InvalidRequest(path(index, field), "must be a 64-bit integer");
        }
        return parser.getLongValue();
    }

    private static long timestamp(JsonParser parser, JsonToken token, int index) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return PointColumns.NO_TIMESTAMP;
        }
        long millis;
        if (token == JsonToken.VALUE_STRING) {
            try {
                millis = Instant.parse(parser.getText()).toEpochMilli();
            } catch (DateTimeException | ArithmeticException e) {
                throw new InvalidRequest(path(index, "timestamp"), "must be epoch milliseconds or an ISO-8601 instant");
            }
        } else {
            millis = integer(parser, token, index, "timestamp");
        }
        if (millis < FIRST_MILLI || millis > LAST_MILLI) {
            throw new InvalidRequest(path(index, "timestamp"), "must fall in the years 1 to 9999");
        }
        return millis;
    }

    /** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the times PostgreSQL and ISO-8601 both write plainly. */
    private static final long FIRST_MILLI = -62_135_596_800_000L;

    private static final long LAST_MILLI = 253_402_300_799_999L;

    private static double value(JsonParser parser, JsonToken token, int index) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NUMBER_INT) {
            return parser.getDoubleValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            switch (parser.getText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    // refused below
            }
        }
        throw new InvalidRequest(path(index, "value"), VALUE_RULE);
    }
}
