package dev.canopy.api.carbon;

import dev.canopy.api.error.InvalidRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A summary's period: ISO dates (midnight UTC) or instants; {@code to} defaults to now, {@code from} to 30 days
 * before, reaching back to the start of its first month (or day) when the summary is grouped by month (or day), so
 * that the first row covers its month (day) whole instead of its last few days under the month's name.
 */
record Period(Instant from, Instant to) {

    static Period of(String from, String to, String groupBy) {
        Instant end = to == null || to.isBlank() ? Instant.now() : parse("to", to);
        Instant start = from == null || from.isBlank() ? defaultStart(end, groupBy) : parse("from", from);
        if (start.isBefore(EARLIEST)) {
            // The default 30 days before a "to" early in year 1.
            throw new InvalidRequest("from", "must fall in the years 1 to 9999");
        }
        return new Period(start, end);
    }

    private static Instant defaultStart(Instant end, String groupBy) {
        Instant start = end.minus(Duration.ofDays(30));
        if (start.isBefore(EARLIEST)) {
            return start;
        }
        LocalDate day = start.atOffset(ZoneOffset.UTC).toLocalDate();
        String grouping = groupBy == null ? "" : groupBy.trim();
        if (grouping.equalsIgnoreCase("month")) {
            return day.withDayOfMonth(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        return grouping.equalsIgnoreCase("day") ? day.atStartOfDay().toInstant(ZoneOffset.UTC) : start;
    }

    /** The years PostgreSQL's timestamps and the ledger's hours can hold; others are refused, not a 500. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private static Instant parse(String field, String value) {
        Instant instant;
        try {
            instant = value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC)
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequest(field, "must be an ISO date (2026-11-01) or instant (2026-11-01T00:00:00Z)");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new InvalidRequest(field, "must fall in the years 1 to 9999");
        }
        return instant;
    }
}
