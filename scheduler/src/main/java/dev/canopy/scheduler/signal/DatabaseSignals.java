package dev.canopy.scheduler.signal;

import io.agroal.api.AgroalDataSource;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * Subscribers hear {@code listening(true)} only once a {@link NotificationProbe} sent from another connection has
 * reached this one, and {@code listening(false)} when one does not or the connection's server session changes.
 */
@ApplicationScoped
public class DatabaseSignals {

    /** Hears one channel; called on the listener thread, so it must return quickly. */
    public interface Subscriber {

        /** At least one NOTIFY arrived on the channel (several sent close together may come as one call). */
        void notified();

        /**
         * {@code true} once the connection listens on the channel and a probe reached it; {@code false} when it lost
         * its connection, a probe did not arrive or its server session changed, after which notifications are
         * missed until the next {@code true}. Until the first {@code true}, nothing is heard either.
         */
        void listening(boolean listening);
    }

    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]*");

    /** How long one wait for notifications blocks, which bounds how late a new subscription starts listening. */
    private static final int WAIT_MILLIS = 250;

    /**
     * How often the connection is asked a question (its server session, for the {@link NotificationProbe}, which is
     * sent then too) and how long its answer may take: waiting for notifications sends nothing, so a connection that died
     * without a word (a NAT or load balancer dropping it, a failover behind a virtual address) would otherwise look
     * like a quiet one for ever, and every notification would be missed while subscribers believe they listen.
     */
    private static final int PING_SECONDS = 10;

    /** How long a probe may take to come back before the connection counts as not hearing notifications. */
    private static final int PROBE_TIMEOUT_SECONDS = 5;

    @Inject
    AgroalDataSource dataSource;

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
        if (!CHANNEL.matcher(channel).matches() || channel.equals(NotificationProbe.CHANNEL)) {
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
            NotificationProbe probe = new NotificationProbe(PROBE_TIMEOUT_SECONDS * 1_000_000_000L);
            // Whether the subscribers of the channels listened to were told they listen.
            boolean told = false;
            boolean warned = false;
            try (Connection connection = connect()) {
                PGConnection pg = connection.unwrap(PGConnection.class);
                execute(connection, "LISTEN " + NotificationProbe.CHANNEL);
                long pinged = System.nanoTime() - PING_SECONDS * 1_000_000_000L; // a probe at once
                while (running) {
                    long now = System.nanoTime();
                    if (now - pinged >= PING_SECONDS * 1_000_000_000L) {
                        if (probe.sessionIs(backendProcessId(connection))) {
                            Log.warn("The database listener's connection moved to another server session: a"
                                    + " connection pooler in transaction mode stands between the control plane and"
                                    + " PostgreSQL, and notifications are lost. Waiting claims fall back to polling"
                                    + " and access checks are not cached; point the control plane at PostgreSQL or at"
                                    + " a pooler in session mode");
                            warned = true;
                        }
                        String payload = probe.send(now);
                        if (payload != null && !sendProbe(payload)) {
                            probe.withdraw();
                        }
                        pinged = now;
                    }
                    boolean wasVerified = probe.verified();
                    if (probe.overdue(System.nanoTime()) && (wasVerified || !warned)) {
                        Log.warnf(
                                "Notifications to the database listener %s within %d s: waiting claims fall back to"
                                        + " polling and access checks are not cached until they do. A connection"
                                        + " pooler in transaction mode between the control plane and PostgreSQL"
                                        + " loses them; point the control plane at PostgreSQL or at a pooler in"
                                        + " session mode",
                                wasVerified ? "stopped arriving" : "do not arrive", PROBE_TIMEOUT_SECONDS);
                        warned = true;
                    }
                    if (probe.verified() != told) {
                        told = !told;
                        tell(listened, told);
                    }
                    listenToNewChannels(connection, listened, told);
                    PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null) {
                        Set<String> channels = new HashSet<>();
                        for (PGNotification notification : notifications) {
                            if (!NotificationProbe.CHANNEL.equals(notification.getName())) {
                                channels.add(notification.getName());
                            } else if (probe.arrived(notification.getParameter()) && warned) {
                                Log.info("Notifications reach the database listener again");
                            }
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
                if (told) {
                    tell(listened, false);
                }
                listened.clear();
            }
            if (running) {
                pause();
            }
        }
    }

    /** Tells the subscribers of {@code channels} whether they listen. */
    private void tell(Set<String> channels, boolean listening) {
        channels.forEach(channel -> subscribers.get(channel).listening(listening));
    }

    /**
     * LISTENs on channels subscribed since the last call; tells their subscribers they listen when the connection
     * is {@code verified} (else they hear it once a probe comes back).
     */
    private void listenToNewChannels(Connection connection, Set<String> listened, boolean verified)
            throws SQLException {
        for (Map.Entry<String, Subscriber> subscription : subscribers.entrySet()) {
            if (listened.add(subscription.getKey())) {
                execute(connection, "LISTEN " + subscription.getKey());
                if (verified) {
                    subscription.getValue().listening(true);
                }
            }
        }
    }

    /**
     * A probe: a NOTIFY of {@code payload} on the probe's channel, from a connection of the application's pool (so
     * not from the listening session). False when it could not be sent; the listener's connection is not to blame.
     */
    private boolean sendProbe(String payload) {
        try (Connection other = dataSource.getConnection();
                PreparedStatement notify = other.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, NotificationProbe.CHANNEL);
            notify.setString(2, payload);
            notify.execute();
            return true;
        } catch (SQLException e) {
            Log.debugf("The database listener's probe could not be sent: %s", e.getMessage());
            return false;
        }
    }

    /** The connection's server process; fails when no answer comes within the socket timeout (the ping). */
    private static int backendProcessId(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
            pid.next();
            return pid.getInt(1);
        }
    }

    /** Fails when no answer comes within the socket timeout: the connection is then dropped and made again. */
    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
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
