package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.EndpointRecords.BatchingView;
import dev.canopy.api.endpoint.EndpointRecords.CanaryTraffic;
import dev.canopy.api.endpoint.EndpointRecords.CanaryView;
import dev.canopy.api.endpoint.EndpointRecords.EndpointResponse;
import dev.canopy.api.endpoint.EndpointRecords.Latency;
import dev.canopy.api.endpoint.EndpointRecords.ShadowView;
import dev.canopy.api.endpoint.EndpointRecords.VersionServing;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.runner.inference.Batching;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What the API shows of an endpoint: its versions and status, and per version what it served (counts, latency,
 * energy per 1,000 predictions), its canary's traffic, its shadow's comparison and its batching; and the canary's
 * outcome written into the audit record that ends it.
 */
@ApplicationScoped
class EndpointViews {

    @Inject
    ModelService models;

    @Inject
    ServingMetrics metrics;

    @Inject
    ShadowTraffic shadows;

    @Inject
    ServingConfig config;

    @Inject
    ServingEnergyLedger energy;

    /** The endpoint as the API shows it; {@code modelName} is read when not given. */
    EndpointResponse toResponse(Endpoint e, String modelName) {
        List<UUID> ids = new ArrayList<>();
        for (UUID id : new UUID[] {e.liveVersionId, e.previousVersionId, e.canaryVersionId, e.shadowVersionId}) {
            if (id != null) {
                ids.add(id);
            }
        }
        Map<UUID, RegisteredVersion> versions = models.byIds(ids);
        RegisteredVersion live = versions.get(e.liveVersionId);
        RegisteredVersion canary = versions.get(e.canaryVersionId);
        RegisteredVersion previous = versions.get(e.previousVersionId);
        RegisteredVersion shadow = versions.get(e.shadowVersionId);
        List<VersionServing> serving = new ArrayList<>();
        if (live != null) {
            serving.add(servingOf(e, live, "live"));
        }
        if (canary != null) {
            serving.add(servingOf(e, canary, "canary"));
        }
        return new EndpointResponse(
                e.name,
                modelName != null ? modelName : models.modelName(e.modelId),
                live == null ? "EMPTY" : canary == null ? "LIVE" : "CANARY",
                live == null ? null : live.version(),
                previous == null ? null : previous.version(),
                canary == null
                        ? null
                        : new CanaryView(canary.version(), e.canaryPercent, e.canaryPolicy, canaryTraffic(e)),
                shadow == null ? null : shadowOf(e, shadow),
                serving,
                batchingOf(e),
                e.createdAt,
                e.updatedAt);
    }

    /** Characters an audit record's reason holds (the column's size). */
    private static final int MAX_REASON = 2000;

    /**
     * {@code reason} followed by what the endpoint's running canary served until now, for the record of its end by a
     * person or a promotion (the policy's own decisions say it in their reasons): its counts leave the endpoint's view
     * when it ends. Just {@code reason} when the counts cannot be read.
     */
    String withCanaryOutcome(Endpoint e, String reason) {
        CanaryTraffic t = canaryTraffic(e);
        if (t == null) {
            return reason;
        }
        String outcome = String.format(
                Locale.ROOT,
                "the canary served %d requests (errors %.2f %% against live %.2f %% over %d, p99 %.2f ms against"
                        + " %.2f ms%s)",
                t.canaryRequests(),
                percent(t.canaryErrors(), t.canaryRequests()),
                percent(t.liveErrors(), t.liveRequests()),
                t.liveRequests(),
                t.canaryP99Ms(),
                t.liveP99Ms(),
                t.controlPlanes() > 1 ? ", " + t.controlPlanes() + " control planes" : "");
        if (reason == null || reason.isBlank()) {
            return outcome;
        }
        // The record's reason holds 2,000 characters, as much as a request's reason may have: the person's words are
        // cut, not the counts.
        int room = MAX_REASON - outcome.length() - 2;
        return (reason.length() <= room ? reason : reason.substring(0, room - 1) + "…") + "; " + outcome;
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private CanaryTraffic canaryTraffic(Endpoint e) {
        try {
            CanaryWatch.Seen seen = metrics.canaryTraffic(e.canaryId);
            return new CanaryTraffic(
                    seen.controlPlanes(),
                    seen.live().requests(),
                    seen.live().errors(),
                    seen.live().latency().quantileNanos(0.99) / 1e6,
                    seen.canary().requests(),
                    seen.canary().errors(),
                    seen.canary().latency().quantileNanos(0.99) / 1e6);
        } catch (SQLException ex) {
            Log.warnf("The canary traffic of endpoint %s could not be read: %s", e.name, ex.getMessage());
            return null;
        }
    }

    private BatchingView batchingOf(Endpoint e) {
        EndpointBatching settings = e.batchingSettings();
        Batching batching = settings.resolve(config);
        return new BatchingView(
                batching.enabled(),
                batching.maxBatchRecords(),
                EndpointBatching.millis(batching.maxWait()),
                settings.fieldsSet());
    }

    private ShadowView shadowOf(Endpoint e, RegisteredVersion version) {
        ShadowTraffic.Compared compared = shadows.of(e.id, e.shadowId);
        ShadowStats.Totals t = compared.totals();
        return new ShadowView(
                version.version(),
                t.copies(),
                t.dropped(),
                t.errors(),
                t.compared(),
                t.agreed(),
                t.disagreed(),
                t.meanAbsoluteDifference(),
                latency(t.latency()),
                compared.allControlPlanes());
    }

    private static Latency latency(LatencyHistogram.Counts histogram) {
        return new Latency(
                histogram.quantileNanos(0.5) / 1e6,
                histogram.quantileNanos(0.95) / 1e6,
                histogram.quantileNanos(0.99) / 1e6);
    }

    private VersionServing servingOf(Endpoint e, RegisteredVersion version, String role) {
        ServingMetrics.Served served = metrics.served(e.id, version.id());
        ServingStats.Totals totals = served.totals();
        return new VersionServing(
                version.version(),
                role,
                totals.requests(),
                totals.errors(),
                totals.rejected(),
                totals.predictions(),
                latency(totals.latency()),
                served.complete(),
                energy.perThousand(version.id()));
    }
}
