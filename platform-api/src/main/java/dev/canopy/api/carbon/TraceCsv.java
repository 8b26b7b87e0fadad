package dev.canopy.api.carbon;

import dev.canopy.api.error.InvalidRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads an intensity trace: lines of {@code timestamp,gCO2e/kWh}, an optional header line first, timestamps
 * strictly increasing. A timestamp is ISO-8601 with an offset ({@code 2026-01-01T00:00:00Z}) or without one
 * (then UTC); each point holds until the next one.
 */
final class TraceCsv {

    static final int MAX_POINTS = 1_000_000;

    interface Points {
        void add(Instant at, double gCo2ePerKwh);
    }

    private TraceCsv() {}

    /** Feeds every point to {@code points}; returns how many there were. Bad content is a 400 naming the line. */
    static int read(Reader csv, Points points) throws IOException {
        BufferedReader lines = new BufferedReader(csv);
        Instant previous = null;
        int count = 0;
        int number = 0;
        boolean header = false;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            String text = number == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line;
            if (text.isBlank()) {
                continue;
            }
            String[] fields = text.split(",", -1);
            if (fields.length != 2) {
                throw problem(number, "expected 'timestamp,gCO2e/kWh', got " + fields.length + " fields");
            }
            if (count == 0 && !header && !startsWithDigit(fields[0])) {
                header = true;
                continue;
            }
            Instant at = timestamp(fields[0].trim(), number);
            double value = value(fields[1].trim(), number);
            if (previous != null && !at.isAfter(previous)) {
                throw problem(number, "timestamps must increase; " + at + " follows " + previous);
            }
            if (++count > MAX_POINTS) {
                throw problem(number, "a trace holds at most " + MAX_POINTS + " points");
            }
            points.add(at, value);
            previous = at;
        }
        if (count == 0) {
            throw new InvalidRequest("content", "the trace has no points");
        }
        return count;
    }

    private static boolean startsWithDigit(String field) {
        String t = field.trim().replace("\"", "");
        return !t.isEmpty() && Character.isDigit(t.charAt(0));
    }

    private static Instant timestamp(String field, int line) {
        String t = field.replace("\"", "");
        Instant instant;
        try {
            instant = OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                instant = LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw problem(line, "'" + abbreviate(t) + "' is not an ISO-8601 timestamp");
            }
        }
        if (instant.isBefore(Period.EARLIEST) || instant.isAfter(Period.LATEST)) {
            throw problem(line, "'" + abbreviate(t) + "' is not in the years 1 to 9999");
        }
        return instant;
    }

    private static double value(String field, int line) {
        try {
            double value = Double.parseDouble(field.replace("\"", ""));
            if (!Double.isFinite(value) || value < 0 || value > 5000) {
                throw problem(line, "intensity must be between 0 and 5000 gCO2e/kWh, not " + field);
            }
            return value;
        } catch (NumberFormatException e) {
            throw problem(line, "'" + abbreviate(field) + "' is not a number");
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }

    private static InvalidRequest problem(int line, String problem) {
        return new InvalidRequest("content", "line " + line + ": " + problem);
    }
}
