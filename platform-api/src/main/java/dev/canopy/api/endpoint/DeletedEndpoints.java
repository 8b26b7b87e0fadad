package dev.canopy.api.endpoint;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Forgets what this control plane counted of endpoints deleted since (on it or on another one): served and shadow
 * counts (stored already; the API no longer shows them) and their series in /q/metrics, which would otherwise grow
 * with every endpoint ever made; and the series of versions an endpoint no longer serves (the counts of those stay:
 * they are the endpoint's history, stored per version, and a rollback serves the previous version again). Asked by the serving pooling thread, and acts every 30 s. Only endpoints seen
 * before the database is read are judged, so one made meanwhile is not taken for gone.
 */
@ApplicationScoped
class DeletedEndpoints {

    private static final long EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Inject
    EndpointRepository endpoints;

    @Inject
    ServingMetrics served;

    @Inject
    ShadowTraffic shadows;

    @Inject
    ServingMeters meters;

    /** When it last acted; read and written by the pooling thread only. */
    private long forgotAt = System.nanoTime();

    /** {@link #forget()}, if 30 s have passed since it last ran. */
    void forgetIfDue() {
        if (System.nanoTime() - forgotAt > EVERY_NANOS) {
            forgotAt = System.nanoTime();
            forget();
        }
    }

    void forget() {
        Set<UUID> seen = new HashSet<>();
        served.endpoints(seen);
        shadows.endpoints(seen);
        Set<ServingMeters.Key> series = meters.keys();
        series.forEach(key -> seen.add(key.endpointId()));
        if (seen.isEmpty()) {
            return;
        }
        try {
            Map<UUID, Set<UUID>> serving = QuarkusTransaction.requiringNew().call(() -> endpoints.servedVersions(seen));
            Set<UUID> gone = new HashSet<>(seen);
            gone.removeAll(serving.keySet());
            if (!gone.isEmpty()) {
                served.forget(gone);
                shadows.forget(gone);
            }
            meters.keepOnly(series, serving);
        } catch (RuntimeException e) {
            Log.warnf("Deleted endpoints' serving counts could not be forgotten: %s", e.getMessage());
        }
    }
}
