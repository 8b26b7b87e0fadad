package dev.canopy.api.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * The embedded PostgreSQL that Canopy starts when no external database is configured: real PostgreSQL 17
 * binaries from Maven, data kept in {@code $CANOPY_HOME/pgdata} across restarts, on a free port so that two
 * platforms with different homes never collide.
 *
 * <p>One server per data directory and JVM; asking again for a running one returns it.
 *
 * <p>The server asks every connection for a password, its superuser's included: the library initialises a data
 * directory to trust every local connection, which would let any user of the machine in as superuser. The password
 * is made once per home, kept in {@code $CANOPY_HOME/db-password} (readable by its owner only); a new data
 * directory asks for it from its first start, and at each start it is set on the superuser and {@code pg_hba.conf}
 * asks for it (SCRAM), so a data directory of an older version is closed too (once it has started).
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final Map<Path, EmbeddedDatabase> RUNNING = new HashMap<>();

    /** The file the embedded server's library (zonky) locks for as long as it runs a server on the directory. */
    static final String LOCK_FILE = "epg-lock";

    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(60);

    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    /** The file in the home that holds the superuser's password. */
    public static final String PASSWORD_FILE = "db-password";

    private static final String HBA =
            """
            # Written by Canopy at every start: a password (SCRAM) for every connection, the superuser's included.
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    private final Path dataDirectory;
    private final EmbeddedPostgres postgres;
    private final String password;

    private EmbeddedDatabase(Path dataDirectory, EmbeddedPostgres postgres, String password) {
        this.dataDirectory = dataDirectory;
        this.postgres = postgres;
        this.password = password;
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
            stopServerLeftByAKilledPlatform(dataDirectory);
            boolean existing = Files.exists(dataDirectory.resolve("PG_VERSION"));
            String password = password(home, dataDirectory);
            LOG.infof(
                    "No external database configured: starting embedded PostgreSQL with %s data in %s",
                    existing ? "existing" : "new", dataDirectory);
            EmbeddedPostgres postgres = configured(dataDirectory, home.resolve(PASSWORD_FILE), password, existing)
                    .start();
            askForPasswords(postgres, dataDirectory, password);
            EmbeddedDatabase database = new EmbeddedDatabase(dataDirectory, postgres, password);
            RUNNING.put(dataDirectory, database);
            LOG.infof("Embedded PostgreSQL listening on localhost:%d", postgres.getPort());
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not secure the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * The server as Canopy runs it. A new data directory is made asking for the password from the start (initdb's
     * {@code --auth} and {@code --pwfile}, which come after the library's own {@code -A trust} and win): trusted
     * until {@link #askForPasswords} ran, a first start let any user of the machine connect as superuser in between.
     */
    static EmbeddedPostgres.Builder configured(
            Path dataDirectory, Path passwordFile, String password, boolean existing) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                // The platform is the system of record: a commit must survive a crash.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100")
                .setPGStartupWait(Duration.ofSeconds(60))
                // The library's own readiness check connects too.
                .setConnectConfig("password", password);
        if (!existing) {
            builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
        }
        return builder;
    }

    /** The home's password, made (owner-only) on the first start of a data directory that asks for none yet. */
    private static String password(Path home, Path dataDirectory) throws IOException {
        Path file = home.resolve(PASSWORD_FILE);
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        Path hba = dataDirectory.resolve("pg_hba.conf");
        if (Files.exists(hba) && Files.readString(hba).contains("scram-sha-256")) {
            throw new IllegalStateException("The embedded PostgreSQL in " + dataDirectory + " asks for a password, but "
                    + file + " is gone; put the password back there, or start on a new CANOPY_HOME");
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Path temporary = Files.createTempFile(
                home,
                PASSWORD_FILE,
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, password + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    /**
     * Sets the superuser's password and makes the server ask every connection for one. The driver sends the password's
     * SCRAM verifier, never the password, so no server log (a failed statement is logged with its text) can hold it.
     */
    private static void askForPasswords(EmbeddedPostgres postgres, Path dataDirectory, String password)
            throws SQLException, IOException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            connection.unwrap(PGConnection.class).alterUserPassword(USER, password.toCharArray(), "scram-sha-256");
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    /** The superuser's password. */
    public String password() {
        return password;
    }

    /**
     * A platform killed with SIGKILL cannot stop its PostgreSQL, which keeps running on the data directory and
     * would make this start fail. The server's owner is known by the lock the embedded server's library holds on
     * {@value #LOCK_FILE} while the platform lives: a server running while nobody holds the lock was left behind,
     * and gets a normal (smart) shutdown, which ends at once since its clients died with the platform. A server
     * whose lock is held belongs to a platform that is running on this home, which is refused.
     */
    private static void stopServerLeftByAKilledPlatform(Path dataDirectory) throws IOException {
        Optional<ProcessHandle> server = runningServer(dataDirectory);
        if (server.isEmpty()) {
            return;
        }
        try (FileChannel lockFile = FileChannel.open(
                        dataDirectory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("Another Canopy platform is running on " + dataDirectory.getParent()
                        + " (its PostgreSQL has pid " + server.get().pid() + "); stop it, or give this one another"
                        + " CANOPY_HOME");
            }
        } catch (OverlappingFileLockException e) {
            return;
        }
        LOG.warnf(
                "Stopping the embedded PostgreSQL (pid %d) left running in %s by a platform that was killed",
                server.get().pid(), dataDirectory);
        server.get().destroy();
        try {
            server.get().onExit().get(ORPHAN_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("The PostgreSQL (pid "
                    + server.get().pid() + ") left running in "
                    + dataDirectory + " did not stop within " + ORPHAN_STOP_TIMEOUT.toSeconds() + " s; stop it by"
                    + " hand");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping a PostgreSQL left running", e);
        }
    }

    /** The live PostgreSQL that {@code postmaster.pid} names, if it serves this data directory. */
    private static Optional<ProcessHandle> runningServer(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            // Not a pid file PostgreSQL wrote in full: PostgreSQL's own start-up check deals with it.
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> p.info()
                .commandLine()
                .filter(line -> line.contains("postgres") && line.contains(dataDirectory.toString()))
                .isPresent());
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
