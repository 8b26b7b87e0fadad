package dev.canopy.api;

import static io.restassured.RestAssured.given;

import dev.canopy.api.config.EmbeddedDatabase;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The packaged platform ({@code java -jar quarkus-run.jar}) started as a separate process, as a user starts it:
 * for the integration tests and the benchmarks.
 */
public final class PlatformProcess implements AutoCloseable {

    private static final Pattern HTTP_PORT = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final Pattern DB_PORT = Pattern.compile("Embedded PostgreSQL listening on localhost:(\\d+)");

    public final Path home;
    public final Path log;
    public final int httpPort;
    private final Process process;

    private PlatformProcess(Path home, Path log, Process process, int httpPort) {
        this.home = home;
        this.log = log;
        this.process = process;
        this.httpPort = httpPort;
    }

    /** The packaged platform: {@code -Dcanopy.jar}, or where the build puts it relative to platform-api. */
    public static Path jar() {
        return Path.of(System.getProperty("canopy.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    /** Starts the platform with a new temporary home. */
    public static PlatformProcess start(String... jvmOptions) throws IOException, InterruptedException {
        return start(TempDirectories.create("canopy-platform"), Map.of(), jvmOptions);
    }

    /** Starts the platform on {@code home} with extra environment variables; returns once it listens. */
    public static PlatformProcess start(Path home, Map<String, String> env, String... jvmOptions)
            throws IOException, InterruptedException {
        Path log = home.resolve("platform-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // Any free port, unless jvmOptions name one (the last -D of a name wins).
        command.add("-Dquarkus.http.port=0");
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar().toAbsolutePath().toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_DATASOURCE"));
        builder.environment().put("CANOPY_HOME", home.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The platform exited; see " + log);
            }
            Matcher http = HTTP_PORT.matcher(Files.readString(log));
            if (http.find()) {
                return new PlatformProcess(home, log, process, Integer.parseInt(http.group(1)));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("The platform did not start within 2 minutes; see " + log);
    }

    /**
     * A node of a cluster: a platform with a new temporary home on the external database at {@code jdbcUrl}, with
     * the artifact store in {@code artifacts}, which the nodes share.
     */
    public static PlatformProcess startNode(String jdbcUrl, Path artifacts, String... jvmOptions)
            throws IOException, InterruptedException {
        return start(
                TempDirectories.create("canopy-node"),
                Map.of(
                        "QUARKUS_DATASOURCE_JDBC_URL",
                        jdbcUrl,
                        "QUARKUS_DATASOURCE_USERNAME",
                        "postgres",
                        "QUARKUS_DATASOURCE_PASSWORD",
                        "postgres",
                        "CANOPY_ARTIFACTS_DIRECTORY",
                        artifacts.toString()),
                jvmOptions);
    }

    /** The first-start admin token of a cluster: the node that bootstrapped the database wrote it. */
    public static String adminToken(List<PlatformProcess> nodes) throws IOException {
        for (PlatformProcess node : nodes) {
            if (Files.exists(node.home.resolve("admin-token"))) {
                return node.adminToken();
            }
        }
        throw new IllegalStateException("No node bootstrapped the admin");
    }

    /** Dataset "penguins" (version 1: the penguins CSV) and experiment {@code experiment} in team default. */
    public void penguinsAndExperiment(String token, String experiment) throws IOException {
        given().baseUri(baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "penguins"))
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(201);
        given().baseUri(baseUrl())
                .auth()
                .oauth2(token)
                .contentType("text/csv")
                .body(Files.readAllBytes(Path.of("src/test/resources/datasets/penguins.csv")))
                .post("/api/v1/teams/default/datasets/penguins/versions")
                .then()
                .statusCode(201);
        given().baseUri(baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("name", experiment))
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(201);
    }

    /** The platform's process id. */
    public long pid() {
        return process.pid();
    }

    public String baseUrl() {
        return "http://localhost:" + httpPort;
    }

    /** A JDBC connection to the platform's embedded database (no DriverManager: it misses drivers under exec:java). */
    public Connection connect() throws SQLException, IOException {
        Matcher db = DB_PORT.matcher(Files.readString(log));
        if (!db.find()) {
            throw new IllegalStateException("This platform runs no embedded database");
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://localhost:" + db.group(1) + "/postgres?user=postgres");
        dataSource.setPassword(
                Files.readString(home.resolve(EmbeddedDatabase.PASSWORD_FILE)).trim());
        return dataSource.getConnection();
    }

    /** The first-start admin token, if this platform created it. */
    public String adminToken() throws IOException {
        return Files.readString(home.resolve("admin-token")).trim();
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL, as a crash or an out-of-memory killer would; its embedded PostgreSQL keeps running. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the platform to stop. */
    public boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop()) {
            process.destroyForcibly();
        }
    }
}
