package dev.canopy.api.endpoint;

import dev.canopy.api.config.DaemonThreads;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.runner.inference.ServedModel;
import dev.canopy.runner.inference.ServingOptions;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model versions loaded for serving in this process: each loaded once (lazily, or ahead of a switch), warmed up,
 * shared by every endpoint that serves it, and unloaded when none does and no pending change holds it.
 */
@ApplicationScoped
// Made at start, so that its first sweep loads what the endpoints serve before their first requests.
@Startup
public class LoadedVersions {

    private static final long SWEEP_SECONDS = 30;
    private static final long FIRST_SWEEP_SECONDS = 1;

    @Inject
    ModelService models;

    @Inject
    ServingConfig config;

    @Inject
    EndpointRoutes routes;

    @Inject
    ServingEnergyLedger energy;

    /**
     * How long a version that failed to load is refused without trying again: each try reads its whole artifact, and
     * an endpoint's every request tried (and logged) it again.
     */
    static final long LOAD_RETRY_SECONDS = 5;

    private final Map<UUID, CompletableFuture<ServedModel>> loaded = new ConcurrentHashMap<>();
    /** The versions whose last load failed, with when ({@link System#nanoTime()}) and why. */
    private final Map<UUID, FailedLoad> failed = new ConcurrentHashMap<>();

    private record FailedLoad(long atNanos, String why) {}
    /** Versions kept loaded whatever the endpoints serve, with how many pins hold each. */
    private final Map<UUID, Integer> pins = new ConcurrentHashMap<>();
    /** Counts the pins released, each before it lets go of its version. */
    private final AtomicLong pinsReleased = new AtomicLong();

    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canopy-serving-sweeper"));

    /**
     * Every 30 s, unloads what no endpoint serves any more and (with {@code canopy.serving.preload}) loads what they
     * serve that is not loaded; the first sweep runs at start, so a restarted control plane serves its endpoints'
     * first requests without loading. A change made on this control plane unloads at once; the sweep catches changes
     * made on another one, and versions a request with a stale route loaded again.
     */
    @PostConstruct
    void startSweeping() {
        sweeper.scheduleWithFixedDelay(
                () -> sweep(config.preload()), FIRST_SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    /** @param preload whether to load the served versions that are not loaded */
    void sweep(boolean preload) {
        try {
            long now = System.nanoTime();
            failed.values().removeIf(f -> now - f.atNanos() >= TimeUnit.SECONDS.toNanos(LOAD_RETRY_SECONDS));
            long released = pinsReleased.get();
            Set<UUID> served = new HashSet<>(routes.servedVersions());
            if (!loaded.isEmpty()) {
                unloadAllBut(served, released);
            }
            served.removeAll(loaded.keySet());
            if (preload && !served.isEmpty()) {
                Map<UUID, RegisteredVersion> missing =
                        QuarkusTransaction.requiringNew().call(() -> models.byIds(served));
                for (RegisteredVersion version : missing.values()) {
                    try {
                        served(version);
                    } catch (RuntimeException e) {
                        // Its requests will say so (and fail it on a canary); the sweep goes on with the others.
                        Log.warnf("Preloading %s failed: %s", version.label(), e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            Log.warnf("Sweeping model versions failed: %s", e.getMessage());
        }
    }

    /** Loads and warms up {@code version} unless it is loaded; waits for it. Safe to call concurrently. */
    ServedModel served(RegisteredVersion version) {
        CompletableFuture<ServedModel> future = loaded.get(version.id());
        FailedLoad failure = failed.get(version.id());
        if (future == null
                && failure != null
                && System.nanoTime() - failure.atNanos() < TimeUnit.SECONDS.toNanos(LOAD_RETRY_SECONDS)) {
            throw new ServingFailure(
                    failure.why() + "; it is tried again " + LOAD_RETRY_SECONDS + " s after it failed");
        }
        if (future == null) {
            CompletableFuture<ServedModel> mine = new CompletableFuture<>();
            future = loaded.putIfAbsent(version.id(), mine);
            if (future == null) {
                // Loaded outside the map's lock: a load takes a while, and other versions' requests go on meanwhile.
                future = mine;
                try {
                    mine.complete(load(version));
                    failed.remove(version.id());
                } catch (RuntimeException | Error e) {
                    failed.put(version.id(), new FailedLoad(System.nanoTime(), e.getMessage()));
                    mine.completeExceptionally(e);
                }
            }
        }
        return joined(version.id(), future);
    }

    /** The version, waiting for it if it is loading, but only if it is loaded (or loading) here: never loads it. */
    Optional<ServedModel> servedIfLoaded(RegisteredVersion version) {
        CompletableFuture<ServedModel> future = loaded.get(version.id());
        return future == null ? Optional.empty() : Optional.of(joined(version.id(), future));
    }

    private ServedModel joined(UUID version, CompletableFuture<ServedModel> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            loaded.remove(version, future);
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Whether {@code model} is the version as loaded here now, not an instance unloaded since. */
    boolean isCurrent(UUID version, ServedModel model) {
        CompletableFuture<ServedModel> future = loaded.get(version);
        return future != null && future.isDone() && !future.isCompletedExceptionally() && future.join() == model;
    }

    /**
     * A version this control plane cannot load: the server's failure (500), not the caller's, so that clients and
     * load balancers retry elsewhere and alerts on server errors see it; a promotion's warm-up gate fails with it.
     */
    private static ServingFailure notLoaded(String why) {
        Log.warn(why);
        return new ServingFailure(why);
    }

    private ServedModel load(RegisteredVersion version) {
        long start = System.nanoTime();
        byte[] artifact;
        try (InputStream in = models.openArtifact(version)) {
            artifact = in.readAllBytes();
        } catch (IOException e) {
            throw notLoaded("the artifact of " + version.label() + " could not be read: " + e.getMessage());
        }
        ServedModel model;
        try {
            model = ServedModel.load(artifact, options());
        } catch (IllegalArgumentException e) {
            throw notLoaded(version.label() + " cannot be served: " + e.getMessage());
        }
        energy.loaded(version.id(), model);
        Log.infof(
                "Model %s (%s) loaded and warmed up for serving in %d ms",
                version.label(), version.id(), (System.nanoTime() - start) / 1_000_000);
        return model;
    }

    private ServingOptions options() {
        int predictors = config.predictors() > 0
                ? config.predictors()
                : Runtime.getRuntime().availableProcessors();
        int threadsPerPass = config.threadsPerPass().orElse(ServingOptions.threadsPerPass(predictors));
        return new ServingOptions(
                predictors, threadsPerPass, EndpointBatching.platformDefaults(config), config.maxRequestRecords());
    }

    /** Whether the version is loaded (or loading) on this control plane. */
    boolean isLoaded(UUID version) {
        return loaded.containsKey(version);
    }

    /** The versions loaded (or loading) on this control plane. */
    Set<UUID> loadedVersions() {
        return Set.copyOf(loaded.keySet());
    }

    /** A hold on a loaded version; closing it lets the version be unloaded again. */
    interface Pin extends AutoCloseable {

        /** Holds nothing. */
        Pin NONE = () -> {};

        /** Lets the version go; once, however often it is called. */
        @Override
        void close();
    }

    /**
     * Keeps the version loaded, whatever the endpoints serve, until the pin is closed: a version warmed up for a
     * change that has not committed yet, which another endpoint's change or the sweep would otherwise unload.
     */
    Pin pin(UUID version) {
        pins.merge(version, 1, Integer::sum);
        AtomicBoolean held = new AtomicBoolean(true);
        return () -> {
            if (held.compareAndSet(true, false)) {
                // Counted first: an unload that finds the pin gone also finds the count moved (see unloadAllBut).
                pinsReleased.incrementAndGet();
                pins.computeIfPresent(version, (id, holds) -> holds == 1 ? null : holds - 1);
            }
        };
    }

    /** Unloads every loaded version that no endpoint serves now and no pin holds; in-flight requests finish first. */
    void unloadUnserved() {
        long released = pinsReleased.get();
        unloadAllBut(new HashSet<>(routes.servedVersions()), released);
    }

    /**
     * Unloads every loaded version not in {@code keep} and not pinned (checked as each is removed). {@code keep}
     * was read when {@code releasedBefore} pins had been released: if one has been released since, the change it
     * held may have committed after that read, and its version would be unloaded although served, so nothing is
     * unloaded this time (the next change or sweep does it).
     */
    private void unloadAllBut(Set<UUID> keep, long releasedBefore) {
        for (UUID id : Set.copyOf(loaded.keySet())) {
            if (keep.contains(id)) {
                continue;
            }
            if (pinsReleased.get() != releasedBefore) {
                return;
            }
            unload(id, false);
        }
    }

    /** Unloads the version unless a pin holds it ({@code evenPinned}: whatever holds it, as the process stops). */
    private void unload(UUID id, boolean evenPinned) {
        CompletableFuture<ServedModel> future = loaded.get(id);
        // A load under way stays: removed now, the model it finishes would never be closed. The next sweep unloads
        // it if nothing serves it by then.
        if (future == null || !future.isDone()) {
            return;
        }
        // Removed under the pin's key: a pin taken since the caller looked keeps the version (a warm-up may hold
        // its model already); one taken after finds it gone and loads it afresh.
        boolean[] removed = {false};
        pins.compute(id, (key, holds) -> {
            if (holds == null || evenPinned) {
                removed[0] = loaded.remove(id, future);
            }
            return holds;
        });
        if (removed[0] && !future.isCompletedExceptionally()) {
            ServedModel model = future.join();
            model.close();
            energy.unloaded(model);
            Log.infof("Model version %s unloaded: no endpoint serves it", id);
        }
    }

    /** Unloads every loaded version, whatever serves it: as the control plane stops. */
    void unloadAll() {
        Set.copyOf(loaded.keySet()).forEach(id -> unload(id, true));
    }

    @PreDestroy
    void close() {
        sweeper.shutdownNow();
        unloadAll();
    }
}
