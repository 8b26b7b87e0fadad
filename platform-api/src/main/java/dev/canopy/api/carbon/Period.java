package dev.canopy.api.carbon;

import dev.canopy.api.error.InvalidRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A summary's period: ISO dates (midnight UTC) or instants; {@code to} defaults to now, {@code from} to 30 days before. */
record Period(Instant from, Instant to) {

    static Period of(String from, String to) {
        Instant end = to == null || to.isBlank() ? Instant.now() : parse("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(Duration.ofDays(30)) : parse("from", from);
        return new Period(start, end);
    }

    private static Instant parse(String field, String value) {
        try {
            return value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC)
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequest(field, "must be an ISO date (2026-11-01) or instant (2026-11-01T00:00:00Z)");
        }
    }
}
