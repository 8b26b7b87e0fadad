package dev.canopy.runner.worker;

import dev.canopy.runner.energy.EnergyMeter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * {@code java -jar canopy-runner.jar --server URL --token TOKEN}: a runner process. SIGTERM drains it: it takes
 * nothing new, stops its run after the next checkpoint (the run resumes on another runner) and exits (status 143, as
 * a JVM stopped by SIGTERM does). It exits with status 1 when it stops on an error, such as PyTorch natives that
 * cannot compute ({@link EngineSelfTest}), and with status 2 at once on a configuration error.
 */
public final class RunnerMain {

    private RunnerMain() {}

    /**
     * The work directory (datasets, checkpoints) must exist or be creatable, and be writable: a runner that cannot
     * write there would claim runs and lose each one until its lease expired.
     */
    static void usableWorkDir(Path workDir) {
        try {
            Files.createDirectories(workDir);
            Files.delete(Files.createTempFile(workDir, "canopy-check", ".tmp"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("--work-dir " + workDir + " cannot be used: " + e, e);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        RunnerLogging.configure();
        // Natives come from the classpath (or PYTORCH_LIBRARY_PATH): never download at run time.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        RunnerOptions options;
        try {
            options = RunnerOptions.parse(args, System.getenv());
            usableWorkDir(options.workDir());
        } catch (IllegalArgumentException e) {
            // A configuration error: said plainly, with no stack trace, and the process exits at once; anything shaped
            // like a token is masked, whichever option's value carried it (--server, --name, a number).
            System.err.println("canopy-runner: " + RunnerOptions.masked(e.getMessage()));
            System.exit(2);
            return;
        }
        RunnerOptions.tokenRisks(args, options.server())
                .forEach(risk -> Logger.getLogger(RunnerMain.class.getName()).warning(() -> "Careful: " + risk));
        if (options.threads() != null) {
            // Read once, when the engine loads (the first training or self-test), which is after this.
            System.setProperty("ai.djl.pytorch.num_threads", options.threads().toString());
        }
        EnergyMeter meter = EnergyMeter.start(options.energy());
        WorkerLoop loop = new WorkerLoop(options, options::server, meter);
        Thread thread = new Thread(loop, "canopy-runner");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.drain();
            try {
                loop.awaitStopped(Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        thread.start();
        thread.join();
        meter.close();
        if (loop.failed()) {
            System.exit(1);
        }
    }
}
