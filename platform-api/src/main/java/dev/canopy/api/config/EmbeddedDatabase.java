package dev.canopy.api.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL that Canopy starts when no external database is configured: real PostgreSQL 17
 * binaries from Maven, data kept in {@code $CANOPY_HOME/pgdata} across restarts, on a free port so that two
 * platforms with different homes never collide.
 *
 * <p>One server per data directory and JVM; asking again for a running one returns it.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final Map<Path, EmbeddedDatabase> RUNNING = new HashMap<>();

    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(Path dataDirectory, EmbeddedPostgres postgres) {
        this.dataDirectory = dataDirectory;
        this.postgres = postgres;
    }

    /** Starts (or returns the already running) server whose data lives in {@code home/pgdata}. */
    public static synchronized EmbeddedDatabase startIn(Path home) {
        Path dataDirectory = home.resolve("pgdata").toAbsolutePath().normalize();
        EmbeddedDatabase running = RUNNING.get(dataDirectory);
        if (running != null) {
            return running;
        }
        try {
            Files.createDirectories(dataDirectory);
            boolean existing = Files.exists(dataDirectory.resolve("PG_VERSION"));
            LOG.infof(
                    "No external database configured: starting embedded PostgreSQL with %s data in %s",
                    existing ? "existing" : "new", dataDirectory);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    // The platform is the system of record: a commit must survive a crash.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "100")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            EmbeddedDatabase database = new EmbeddedDatabase(dataDirectory, postgres);
            RUNNING.put(dataDirectory, database);
            LOG.infof("Embedded PostgreSQL listening on localhost:%d", postgres.getPort());
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /** Stops every embedded server this JVM started. */
    public static synchronized void stopAll() {
        RUNNING.values().forEach(EmbeddedDatabase::stop);
        RUNNING.clear();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE);
    }

    public int port() {
        return postgres.getPort();
    }

    private void stop() {
        try {
            postgres.close();
            LOG.infof("Embedded PostgreSQL in %s stopped", dataDirectory);
        } catch (IOException e) {
            LOG.warnf(e, "Embedded PostgreSQL in %s did not stop cleanly", dataDirectory);
        }
    }
}
