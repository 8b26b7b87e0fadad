package dev.canopy.scheduler.signal;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The control plane's one PostgreSQL {@code LISTEN} connection, on a thread of its own ({@code canopy-db-listener}):
 * subscribers name a channel and hear each {@code NOTIFY} on it, and whether the connection is listening at all.
 * PostgreSQL delivers a notification only to sessions listening when it is sent, so while the connection is down
 * (it reconnects every 2 s) notifications are lost; subscribers that need every one act on {@code listening(false)}.
 */
@ApplicationScoped
public class DatabaseSignals {

    /** Hears one channel; called on the listener thread, so it must return quickly. */
    public interface Subscriber {

        /** At least one NOTIFY arrived on the channel (several sent close together may come as one call). */
        void notified();

        /**
         * {@code true} once the connection listens on the channel; {@code false} when it lost its connection, after
         * which notifications are missed until the next {@code true}.
         */
        void listening(boolean listening);
    }

    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]*");

    /** How long one wait for notifications blocks, which bounds how late a new subscription starts listening. */
    private static final int WAIT_MILLIS = 250;

    /**
     * How often the connection is asked a question ({@code SELECT 1}) and how long its answer may take: waiting for
     * notifications sends nothing, so a connection that died without a word (a NAT or load balancer dropping it, a
     * failover behind a virtual address) would otherwise look like a quiet one for ever, and every notification
     * would be missed while subscribers believe they listen.
     */
    private static final int PING_SECONDS = 10;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread listener;

    /** Subscribes to {@code channel} (lower-case letters, digits, underscores); one subscriber per channel. */
    public void subscribe(String channel, Subscriber subscriber) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        if (subscribers.putIfAbsent(channel, subscriber) != null) {
            throw new IllegalStateException("channel " + channel + " already has a subscriber");
        }
    }

    void start(@Observes StartupEvent event) {
        running = true;
        listener = new Thread(this::listen, "canopy-db-listener");
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
        Set<String> listened = new HashSet<>();
        while (running) {
            try (Connection connection = connect()) {
                PGConnection pg = connection.unwrap(PGConnection.class);
                long pinged = System.nanoTime();
                while (running) {
                    if (System.nanoTime() - pinged > PING_SECONDS * 1_000_000_000L) {
                        ping(connection);
                        pinged = System.nanoTime();
                    }
                    listenToNewChannels(connection, listened);
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null) {
                        Set<String> channels = new HashSet<>();
                        for (PGNotification notification : notifications) {
                            channels.add(notification.getName());
                        }
                        channels.forEach(channel -> subscribers.get(channel).notified());
                    }
                }
            } catch (SQLException e) {
                if (running) {
                    Log.warnf(
                            "The database listener lost its connection (%s); reconnecting in 2 s. Meanwhile waiting"
                                    + " claims fall back to polling and access checks are not cached",
                            e.getMessage());
                }
            } finally {
                listened.forEach(channel -> subscribers.get(channel).listening(false));
                listened.clear();
            }
            if (running) {
                pause();
            }
        }
    }

    private void listenToNewChannels(Connection connection, Set<String> listened) throws SQLException {
        for (Map.Entry<String, Subscriber> subscription : subscribers.entrySet()) {
            if (listened.add(subscription.getKey())) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + subscription.getKey());
                }
                subscription.getValue().listening(true);
            }
        }
    }

    /** Fails when no answer comes within the socket timeout: the connection is then dropped and made again. */
    private static void ping(Connection connection) throws SQLException {
        try (Statement ping = connection.createStatement()) {
            ping.execute("SELECT 1");
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        username.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("socketTimeout", String.valueOf(PING_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
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
