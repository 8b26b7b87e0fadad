package dev.canopy.api.error;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** What a PostgreSQL error somewhere in a failure's causes says about the request (by its SQLSTATE). */
final class DatabaseErrors {

    private static final String UNIQUE_VIOLATION = "23505";
    /**
     * Text PostgreSQL cannot store: an "invalid byte sequence" in a text column, an "unsupported Unicode escape" in a
     * jsonb one. The NUL character (U+0000) is the one a JSON request can carry.
     */
    private static final List<String> UNSTORABLE_TEXT = List.of("22021", "22P05");
    /**
     * The server out of reach or going away: the shutdown states (an administrator's or a crash's ending of the
     * connection, a server starting or stopping) and too many connections; the class 08 states (the connection
     * refused or broken) are matched by their prefix.
     */
    private static final List<String> SERVER_AWAY = List.of("57P01", "57P02", "57P03", "53300");

    private DatabaseErrors() {}

    /** Whether PostgreSQL refused the write for a unique constraint. */
    static boolean uniqueViolation(Throwable e) {
        return has(e, UNIQUE_VIOLATION::equals);
    }

    /** Whether PostgreSQL refused text in the request it cannot store. */
    static boolean unstorableText(Throwable e) {
        return has(e, UNSTORABLE_TEXT::contains);
    }

    /**
     * Whether the database could not be reached or went away, or a new connection did not come within the pool's
     * acquisition timeout (Agroal's SQLException caused by a TimeoutException: a hung server): the request may
     * succeed when tried again. Not 08003, a connection already closed, which is this process's doing, nor a pool at
     * its maximum size with every connection busy (Agroal's "Sorry, acquisition timeout!", which has no cause).
     */
    static boolean unreachable(Throwable e) {
        return has(e, state -> (state.startsWith("08") && !state.equals("08003")) || SERVER_AWAY.contains(state))
                || Causes.find(e, SQLException.class, sql -> sql.getCause() instanceof TimeoutException)
                        .isPresent();
    }

    private static boolean has(Throwable e, Predicate<String> state) {
        return Causes.find(e, SQLException.class, sql -> sql.getSQLState() != null && state.test(sql.getSQLState()))
                .isPresent();
    }
}
