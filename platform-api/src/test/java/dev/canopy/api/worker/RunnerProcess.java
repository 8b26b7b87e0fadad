package dev.canopy.api.worker;

import dev.canopy.api.TempDirectories;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A standalone runner ({@code java -jar canopy-runner.jar}) started by a test, against the test's control plane. */
public final class RunnerProcess implements AutoCloseable {

    /** The runner jar: {@code canopy.runner.jar}, else where the runner module builds it. */
    private static final Path JAR =
            Path.of(System.getProperty("canopy.runner.jar", "../runner/target/canopy-runner.jar"));

    final Process process;
    final Path log;

    private RunnerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static RunnerProcess start(URI server, String token, String name) throws IOException {
        return start(server, token, name, Map.of());
    }

    /** With {@code environment} added to this process's. */
    static RunnerProcess start(URI server, String token, String name, Map<String, String> environment)
            throws IOException {
        return start(server, token, name, environment, List.of());
    }

    /**
     * With {@code environment} added to this process's and {@code jars} on the class path after the runner's own
     * (started with {@code -cp} and the main class then, as the README says for recipe jars).
     */
    static RunnerProcess start(URI server, String token, String name, Map<String, String> environment, List<Path> jars)
            throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(
                    JAR.toAbsolutePath() + " is missing: build the runner module (mvn package)");
        }
        Path work = TempDirectories.create("canopy-runner-" + name);
        Path log = work.resolve("runner.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> launch = new ArrayList<>(List.of(java));
        if (jars.isEmpty()) {
            launch.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        } else {
            List<String> classPath = new ArrayList<>(List.of(
                    JAR.toAbsolutePath().toString(),
                    JAR.toAbsolutePath().resolveSibling("lib").resolve("*").toString()));
            jars.forEach(jar -> classPath.add(jar.toAbsolutePath().toString()));
            launch.addAll(
                    List.of("-cp", String.join(File.pathSeparator, classPath), "dev.canopy.runner.worker.RunnerMain"));
        }
        launch.addAll(List.of(
                "--server", server.toString(), "--token", token, "--name", name, "--work-dir", work.toString()));
        ProcessBuilder builder =
                new ProcessBuilder(launch).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new RunnerProcess(process, log);
    }

    /** kill -9: no shutdown hook, no last word. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the runner drains. Returns whether it exited within {@code seconds}. */
    boolean terminate(int seconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** The runner's work directory ({@code --work-dir}). */
    Path workDir() {
        return log.getParent();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
