package dev.canopy.api.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/** The packaged platform started as a separate process with its own home, as a user starts it. */
final class PlatformProcess implements AutoCloseable {

    private static final Pattern HTTP_PORT = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final Pattern DB_PORT = Pattern.compile("Embedded PostgreSQL listening on localhost:(\\d+)");

    final Path home;
    final Path log;
    final int httpPort;
    final int databasePort;
    private final Process process;

    private PlatformProcess(Path home, Path log, Process process, int httpPort, int databasePort) {
        this.home = home;
        this.log = log;
        this.process = process;
        this.httpPort = httpPort;
        this.databasePort = databasePort;
    }

    /** The packaged platform: {@code -Dcanopy.jar}, or where the build puts it relative to platform-api. */
    static Path jar() {
        return Path.of(System.getProperty("canopy.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    static PlatformProcess start(Path jar, String... jvmOptions) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("canopy-bench");
        Path log = home.resolve("platform.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(List.of(jvmOptions));
        command.addAll(
                List.of("-Dquarkus.http.port=0", "-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("CANOPY_HOME", home.toString());
        Process process = builder.start();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The platform exited; see " + log);
            }
            String text = Files.readString(log);
            Matcher http = HTTP_PORT.matcher(text);
            Matcher db = DB_PORT.matcher(text);
            if (http.find() && db.find()) {
                return new PlatformProcess(
                        home, log, process, Integer.parseInt(http.group(1)), Integer.parseInt(db.group(1)));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("The platform did not start within 2 minutes; see " + log);
    }

    String baseUrl() {
        return "http://localhost:" + httpPort;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + databasePort + "/postgres?user=postgres";
    }

    /** A JDBC connection to the platform's embedded database (no DriverManager: it misses drivers under exec:java). */
    Connection connect() throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl());
        return dataSource.getConnection();
    }

    String adminToken() throws IOException {
        return Files.readString(home.resolve("admin-token")).trim();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
