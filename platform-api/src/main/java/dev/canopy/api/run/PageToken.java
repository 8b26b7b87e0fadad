package dev.canopy.api.run;

import dev.canopy.api.error.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque page tokens, base64url-encoded so clients do not build them. In the default order (newest first) a token is
 * the position of the page's last run (its creation time and id): runs created, or deleted, while a client pages
 * neither repeat nor hide others. With an {@code orderBy} it is the offset of the next page, since the keys it sorts
 * by (a metric's latest value) may change under the client anyway.
 */
final class PageToken {

    private static final String OFFSET = "o:";
    private static final String AFTER = "k:";
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** Where the next page starts: after {@code createdAt} and {@code id} when those are set, else at the offset. */
    record Position(long offset, Instant createdAt, UUID id) {

        static final Position START = new Position(0, null, null);

        boolean keyed() {
            return id != null;
        }
    }

    private PageToken() {}

    static String offset(long offset) {
        return encode(OFFSET + offset);
    }

    static String after(Instant createdAt, UUID id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return encode(AFTER + micros + ":" + id);
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a token stands for; the start for no token. */
    static Position decode(String token) {
        if (token == null || token.isBlank()) {
            return Position.START;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(OFFSET)) {
                long offset = Long.parseLong(text.substring(OFFSET.length()));
                if (offset >= 0) {
                    return new Position(offset, null, null);
                }
            } else if (text.startsWith(AFTER)) {
                String[] parts = text.substring(AFTER.length()).split(":", 2);
                Instant createdAt = Instant.EPOCH.plus(Long.parseLong(parts[0]), ChronoUnit.MICROS);
                // Within what PostgreSQL's timestamptz holds: a forged one outside it named no position a page could
                // have.
                if (parts.length == 2 && !createdAt.isBefore(EARLIEST) && !createdAt.isAfter(LATEST)) {
                    return new Position(0, createdAt, UUID.fromString(parts[1]));
                }
            }
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            // reported below
        }
        throw new InvalidRequest("pageToken", "is not a token this server issued");
    }
}
