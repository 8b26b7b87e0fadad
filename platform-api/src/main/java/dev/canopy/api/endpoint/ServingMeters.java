package dev.canopy.api.endpoint;

import dev.canopy.api.model.RegisteredVersion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each endpoint version's series in {@code /q/metrics} (latency by outcome, with p50/p95/p99 and a histogram, and
 * rejected requests), registered at its first request and removed once its endpoint is deleted or no longer serves
 * the version (a retrained version promoted every day would otherwise leave some 150 series a day behind).
 */
@ApplicationScoped
class ServingMeters {

    /** An endpoint's version with series here. */
    record Key(UUID endpointId, UUID versionId) {}

    record Meters(Timer success, Timer error, Counter rejected) {}

    @Inject
    MeterRegistry registry;

    private final Map<Key, Meters> meters = new ConcurrentHashMap<>();

    /** The version's meters on the endpoint, registered once. */
    Meters of(Route route, RegisteredVersion version) {
        return meters.computeIfAbsent(new Key(route.endpointId(), version.id()), k -> {
            Tags tags = Tags.of(
                    "team", route.teamName(), "endpoint", route.name(), "version", String.valueOf(version.version()));
            return new Meters(
                    timer(tags.and("outcome", "success")),
                    timer(tags.and("outcome", "error")),
                    registry.counter("canopy.endpoint.rejected", tags));
        });
    }

    /**
     * Of {@code judged} (keys taken before {@code served} was read, so that series registered since, of an endpoint
     * or a version that {@code served} does not know yet, are not taken for gone), removes the series of endpoints
     * that are not in {@code served} (deleted) and of versions that an endpoint in it does not serve (its value) any
     * more. Micrometer gives one meter per name and tags, so an endpoint made again under a deleted one's name shares
     * its series: those are removed too, and registered afresh at its next request, rather than left counting into
     * meters no longer in the registry.
     */
    void keepOnly(Set<Key> judged, Map<UUID, Set<UUID>> served) {
        Set<Object> removed = Collections.newSetFromMap(new IdentityHashMap<>());
        meters.forEach((key, m) -> {
            Set<UUID> versions = served.get(key.endpointId());
            if (judged.contains(key) && (versions == null || !versions.contains(key.versionId()))) {
                removed.add(m.success());
            }
        });
        meters.entrySet().removeIf(entry -> {
            Meters m = entry.getValue();
            if (!removed.contains(m.success())) {
                return false;
            }
            registry.remove(m.success());
            registry.remove(m.error());
            registry.remove(m.rejected());
            return true;
        });
    }

    /** The endpoint versions this control plane has series of now. */
    Set<Key> keys() {
        return Set.copyOf(meters.keySet());
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
}
