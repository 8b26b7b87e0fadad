package dev.canopy.api.endpoint;

import dev.canopy.api.config.DaemonThreads;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.runner.inference.TabularModel.Prediction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Sends copies of an endpoint's answered requests to its shadow version, after the client has its answer, on
 * threads of their own with a bounded queue: when the shadow falls behind, copies are dropped (and counted) rather
 * than slowing the live traffic. The shadow's answers are compared with what the client got, never returned.
 */
@ApplicationScoped
class ShadowTraffic {

    private record Key(UUID endpointId, UUID versionId) {}

    private static final int QUEUE = 1000;

    @Inject
    EndpointServing serving;

    private final Map<Key, ShadowStats> stats = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor copies = new ThreadPoolExecutor(
            2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), DaemonThreads.numbered("canopy-shadow"));

    /** Sends a copy of an answered request to the route's shadow, if it has one. */
    void copy(Route route, List<Map<String, Object>> records, List<Prediction> returned) {
        RegisteredVersion shadow = route.shadow();
        if (shadow == null) {
            return;
        }
        ShadowStats of = stats.computeIfAbsent(new Key(route.endpointId(), shadow.id()), k -> new ShadowStats());
        of.copies.increment();
        try {
            copies.execute(() -> {
                long start = System.nanoTime();
                try {
                    List<Prediction> answers = serving.served(shadow).predict(records, route.batching());
                    of.answered(System.nanoTime() - start, returned, answers);
                } catch (Exception e) {
                    of.errors.increment();
                }
            });
        } catch (RejectedExecutionException e) {
            of.dropped.increment();
        }
    }

    /** What the shadow {@code versionId} answered on the endpoint in this process (empty when nothing). */
    ShadowStats of(UUID endpointId, UUID versionId) {
        return stats.getOrDefault(new Key(endpointId, versionId), new ShadowStats());
    }

    @PreDestroy
    void close() {
        copies.shutdownNow();
    }
}
