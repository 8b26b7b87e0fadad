package dev.canopy.scheduler.queue;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The queue's JDBC access: a connection of the caller's transaction per operation, and the wake-up signal. */
@ApplicationScoped
class QueueDatabase {

    static final String CHANNEL = "canopy_run_queued";

    private final AgroalDataSource dataSource;

    QueueDatabase(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    <T> T execute(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("Run queue operation failed", e);
        }
    }

    /** Wakes waiting claims (delivered when the transaction commits). */
    static void notifyRunners(Connection c) throws SQLException {
        try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', '')")) {
            notify.execute();
        }
    }
}
