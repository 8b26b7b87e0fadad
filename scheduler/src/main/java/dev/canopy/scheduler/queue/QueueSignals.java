package dev.canopy.scheduler.queue;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Wakes waiting claims when a run is queued: one connection per control plane LISTENs on the queue's channel.
 * NOTIFY is only a hint (it is lost while nobody listens), so waiting claims also retry on a timer.
 */
@ApplicationScoped
public class QueueSignals {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private volatile CompletableFuture<Void> next = new CompletableFuture<>();
    private volatile boolean running;
    private Thread listener;

    /** Completes at the next notification. */
    public CompletableFuture<Void> next() {
        return next;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        listener = new Thread(this::listen, "canopy-queue-listener");
        listener.setDaemon(true);
        listener.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = connect()) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + QueueDatabase.CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null && notifications.length > 0) {
                        signal();
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    Log.warnf(
                            "Queue listener lost its connection (%s); waiting claims fall back to polling",
                            e.getMessage());
                    pause();
                }
            }
        }
    }

    private void signal() {
        CompletableFuture<Void> current = next;
        next = new CompletableFuture<>();
        current.complete(null);
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        username.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        return DriverManager.getConnection(url, properties);
    }

    private void pause() {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
