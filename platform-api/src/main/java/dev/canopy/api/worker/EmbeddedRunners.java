package dev.canopy.api.worker;

import ai.djl.engine.Engine;
import dev.canopy.api.config.CanopyConfig;
import dev.canopy.api.team.TokenService;
import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.EnergyOptions;
import dev.canopy.runner.worker.RunnerOptions;
import dev.canopy.runner.worker.WorkerLoop;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * The runners that run inside the control plane, so that one command trains models with nothing else running.
 * They speak the same worker protocol over HTTP (to this process) as separate runners do, with a runner token
 * made at start; on shutdown they drain like any runner.
 */
@ApplicationScoped
class EmbeddedRunners {

    @Inject
    EmbeddedRunnerConfig config;

    @Inject
    CanopyConfig canopy;

    @Inject
    TokenService tokens;

    @Inject
    HttpServer httpServer;

    private final List<WorkerLoop> loops = new ArrayList<>();
    private EnergyMeter meter;

    void start(@Observes StartupEvent event) {
        if (config.count() <= 0) {
            return;
        }
        // Natives come from the classpath: never download at run time.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        String base = "embedded-" + hostName() + "-"
                + UUID.nameUUIDFromBytes(canopy.homeDirectory().toString().getBytes(StandardCharsets.UTF_8))
                        .toString()
                        .substring(0, 8);
        String token = tokens.issueEmbeddedRunnerToken(base);
        // One energy meter for the process; each runner is a slot of it with a GPU set of its own.
        EnergyOptions energy = new EnergyOptions(
                null, config.cpuWatts().orElse(null), EnergyOptions.GREEN_ALGORITHMS_WATTS_PER_GB, null, null, null);
        meter = EnergyMeter.start(energy);
        int engineGpus = Engine.getInstance().getGpuCount();
        int perRunner = config.gpus().map(g -> Math.min(g, engineGpus)).orElse(engineGpus) / config.count();
        for (int i = 0; i < config.count(); i++) {
            RunnerOptions options = new RunnerOptions(
                    null,
                    token,
                    base + "-" + i,
                    config.zone().orElse(null),
                    perRunner,
                    IntStream.range(i * perRunner, (i + 1) * perRunner).boxed().toList(),
                    canopy.homeDirectory().resolve("runner"),
                    config.pue().orElse(null),
                    null,
                    energy);
            WorkerLoop loop = new WorkerLoop(options, this::localServer, meter);
            loops.add(loop);
            Thread thread = new Thread(loop, "canopy-embedded-runner-" + i);
            thread.setDaemon(true);
            thread.start();
        }
        Log.infof("Started %d embedded runner(s) (%s-*)", config.count(), base);
    }

    void stop(@Observes ShutdownEvent event) {
        loops.forEach(WorkerLoop::drain);
        for (WorkerLoop loop : loops) {
            try {
                loop.awaitStopped(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (meter != null) {
            meter.close();
        }
    }

    /**
     * This process's HTTP address. The runners start with the application, a moment before the server listens:
     * until it has a port (at most 10 s) the runner's thread waits here rather than failing to register.
     */
    private URI localServer() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (httpServer.getPort() <= 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return URI.create("http://localhost:" + httpServer.getPort());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
