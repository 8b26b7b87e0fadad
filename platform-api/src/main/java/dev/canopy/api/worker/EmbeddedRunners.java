package dev.canopy.api.worker;

import dev.canopy.api.config.CanopyConfig;
import dev.canopy.api.team.TokenService;
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
        for (int i = 0; i < config.count(); i++) {
            RunnerOptions options = new RunnerOptions(
                    null,
                    token,
                    base + "-" + i,
                    config.zone().orElse(null),
                    config.gpus().map(g -> g / config.count()).orElse(null),
                    canopy.homeDirectory().resolve("runner"));
            WorkerLoop loop = new WorkerLoop(options, this::localServer);
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
    }

    private URI localServer() {
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
