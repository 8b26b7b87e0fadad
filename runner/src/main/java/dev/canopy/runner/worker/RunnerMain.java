package dev.canopy.runner.worker;

import dev.canopy.runner.energy.EnergyMeter;
import java.time.Duration;

/**
 * {@code java -jar canopy-runner.jar --server URL --token TOKEN}: a runner process. SIGTERM drains it: it takes
 * nothing new, stops its run after the next checkpoint (the run resumes on another runner) and exits. It exits with
 * status 1 when it stops on an error, such as PyTorch natives that cannot compute ({@link EngineSelfTest}).
 */
public final class RunnerMain {

    private RunnerMain() {}

    public static void main(String[] args) throws InterruptedException {
        // Natives come from the classpath (or PYTORCH_LIBRARY_PATH): never download at run time.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        RunnerOptions options = RunnerOptions.parse(args, System.getenv());
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
