package dev.canopy.api;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** What PostgreSQL says of its sessions, for tests that hold a lock and wait until a statement queues behind it. */
public final class LockWaits {

    /** SQL on the test's own connection. */
    @FunctionalInterface
    public interface Work {
        void run(Connection connection) throws SQLException;
    }

    private LockWaits() {}

    /**
     * Whether a statement whose text matches {@code pattern} is waiting for a lock now. The pattern is SQL's {@code
     * SIMILAR TO}, without regard to case: {@code %} and {@code _} as in {@code LIKE}, and {@code (a|b)} for either of
     * two statements (the one the old code waits in and the one the new code does).
     */
    public static boolean aStatementWaits(DataSource dataSource, String pattern) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND lower(query) SIMILAR TO lower(?)")) {
            select.setString(1, pattern);
            try (ResultSet waiting = select.executeQuery()) {
                waiting.next();
                return waiting.getInt(1) > 0;
            }
        }
    }

    /** The id a query with one text parameter selects (the row a test then holds). */
    public static UUID id(DataSource dataSource, String sql, String parameter) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new AssertionError("no row for " + parameter + ": " + sql);
                }
                return row.getObject(1, UUID.class);
            }
        }
    }

    /** Runs {@code sql}, whose one parameter is {@code id}, on the connection. */
    public static void execute(Connection connection, String sql, UUID id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, id);
            statement.execute();
        }
    }

    /**
     * Lands a change between a call's reads and its locks: takes locks in a transaction of the test's own ({@code
     * hold}), starts {@code call}, waits until a statement like {@code waiting} queues behind them, then runs {@code
     * meanwhile} in that transaction and commits it; returns what the call returned.
     */
    public static <T> T callWhileHeld(
            DataSource dataSource, Work hold, String waiting, Callable<T> call, Work meanwhile) throws Exception {
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try {
                hold.run(holder);
                CompletableFuture<T> result = CompletableFuture.supplyAsync(() -> {
                    try {
                        return call.call();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> result.isDone() || aStatementWaits(dataSource, waiting));
                if (result.isDone()) {
                    throw new AssertionError("the call ended without waiting for the held lock: " + result.join());
                }
                meanwhile.run(holder);
                holder.commit();
                return result.get(30, TimeUnit.SECONDS);
            } finally {
                if (!holder.getAutoCommit()) {
                    holder.rollback();
                    holder.setAutoCommit(true);
                }
            }
        }
    }
}
