package dev.canopy.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** What PostgreSQL says of its sessions, for tests that hold a lock and wait until a statement queues behind it. */
public final class LockWaits {

    private LockWaits() {}

    /** Whether a statement whose text is like {@code pattern} ({@code ILIKE}) is waiting for a lock now. */
    public static boolean aStatementWaits(DataSource dataSource, String pattern) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND query ILIKE ?")) {
            select.setString(1, pattern);
            try (ResultSet waiting = select.executeQuery()) {
                waiting.next();
                return waiting.getInt(1) > 0;
            }
        }
    }
}
