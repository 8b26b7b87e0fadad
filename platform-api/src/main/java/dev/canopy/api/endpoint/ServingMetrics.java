package dev.canopy.api.endpoint;

import dev.canopy.api.model.RegisteredVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Per endpoint and version: request, error and prediction counts and latency, in the API and in {@code
 * /q/metrics} ({@code canopy_endpoint_requests_seconds}, tagged team, endpoint, version, outcome); and each
 * canary's watch, whose decision is carried out on a worker thread.
 */
@ApplicationScoped
class ServingMetrics {

    private record Key(UUID endpointId, UUID versionId) {}

    private record Meters(Timer success, Timer error, Counter rejected) {}

    @Inject
    MeterRegistry registry;

    @Inject
    EndpointPromotions promotions;

    private final Map<Key, ServingStats> stats = new ConcurrentHashMap<>();
    private final Map<Key, CanaryWatch> watches = new ConcurrentHashMap<>();
    private final Map<Key, Meters> meters = new ConcurrentHashMap<>();
    private final ExecutorService decisions = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "canopy-canary-decisions");
        thread.setDaemon(true);
        return thread;
    });

    @PreDestroy
    void close() {
        decisions.shutdown();
    }

    void succeeded(Route route, RegisteredVersion version, boolean onCanary, long nanos, int records) {
        stats(route, version).succeeded(nanos, records);
        meters(route, version).success().record(nanos, TimeUnit.NANOSECONDS);
        watch(route, onCanary, nanos, false);
    }

    void failed(Route route, RegisteredVersion version, boolean onCanary, long nanos) {
        stats(route, version).failed(nanos);
        meters(route, version).error().record(nanos, TimeUnit.NANOSECONDS);
        watch(route, onCanary, nanos, true);
    }

    void rejected(Route route, RegisteredVersion version) {
        stats(route, version).rejected();
        meters(route, version).rejected().increment();
    }

    /** What {@code versionId} has served on the endpoint in this process (empty stats when nothing). */
    ServingStats of(UUID endpointId, UUID versionId) {
        return stats.getOrDefault(new Key(endpointId, versionId), new ServingStats());
    }

    /** Forgets the endpoint's canary watches (the canary ended). */
    void canaryEnded(UUID endpointId) {
        watches.keySet().removeIf(k -> k.endpointId().equals(endpointId));
    }

    private ServingStats stats(Route route, RegisteredVersion version) {
        return stats.computeIfAbsent(new Key(route.endpointId(), version.id()), k -> new ServingStats());
    }

    /** The version's Prometheus meters on the endpoint, registered once. */
    private Meters meters(Route route, RegisteredVersion version) {
        return meters.computeIfAbsent(new Key(route.endpointId(), version.id()), k -> {
            Tags tags = Tags.of(
                    "team", route.teamName(), "endpoint", route.name(), "version", String.valueOf(version.version()));
            return new Meters(
                    timer(tags.and("outcome", "success")),
                    timer(tags.and("outcome", "error")),
                    registry.counter("canopy.endpoint.rejected", tags));
        });
    }

    private Timer timer(Tags tags) {
        return Timer.builder("canopy.endpoint.requests")
                .description("Predict requests served by an endpoint's version")
                .tags(tags)
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    private void watch(Route route, boolean onCanary, long nanos, boolean error) {
        if (route.canary() == null) {
            return;
        }
        CanaryWatch watch = watches.computeIfAbsent(
                new Key(route.endpointId(), route.canary().id()), k -> new CanaryWatch(route.policy()));
        Optional<CanaryWatch.Decision> decision = watch.record(onCanary, nanos, error);
        decision.ifPresent(d -> {
            Log.infof(
                    "Canary %s on endpoint %s decided: %s (%s)",
                    route.canary().label(), route.name(), d.complete() ? "complete" : "roll back", d.reason());
            decisions.execute(() ->
                    promotions.canaryDecided(route.endpointId(), route.canary().id(), d));
        });
    }
}
