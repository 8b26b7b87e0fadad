package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.EndpointRecords.PredictResponse;
import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.error.InvalidState;
import dev.canopy.api.error.PayloadTooLarge;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.InvalidRecord;
import dev.canopy.runner.inference.NonFiniteAnswer;
import dev.canopy.runner.inference.ServedModel;
import dev.canopy.runner.inference.TabularModel.Prediction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves endpoints in this process: routes each request to the live version or its canary, on the versions {@link
 * LoadedVersions} holds; keeps the serving statistics and lets canaries decide.
 */
@ApplicationScoped
public class EndpointServing {

    private static final int MAX_IGNORED_COLUMNS_SHOWN = 20;

    @Inject
    ServingConfig config;

    @Inject
    EndpointRoutes routes;

    @Inject
    LoadedVersions versions;

    @Inject
    ServingMetrics metrics;

    @Inject
    ShadowTraffic shadows;

    /**
     * Predicts with the endpoint's live version, or its canary for the canary's share of requests.
     *
     * @throws PayloadTooLarge for more records than {@code canopy.serving.max-request-records}
     * @throws InvalidState when nothing is promoted on the endpoint
     * @throws InvalidRequest for a record that does not fit the model's features, naming the field
     */
    PredictResponse predict(TeamScope scope, String endpoint, List<Map<String, Object>> records) {
        if (records.size() > config.maxRequestRecords()) {
            throw new PayloadTooLarge("at most " + config.maxRequestRecords() + " records per request, got "
                    + records.size() + "; split the batch");
        }
        if (records.isEmpty()) {
            throw new InvalidRequest("records", "must hold at least one record");
        }
        // Refused before routing: a malformed request is the caller's error, not the version's.
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i) == null) {
                throw new InvalidRequest("records[" + i + "]", "must be an object of column → value, got null");
            }
        }
        Route route = routes.route(scope, endpoint);
        for (int attempt = 0; ; attempt++) {
            if (route.live() == null) {
                throw new InvalidState("endpoint '" + endpoint + "' has no version promoted yet; promote one with POST"
                        + " .../endpoints/" + endpoint + "/promotions");
            }
            boolean onCanary =
                    route.canary() != null && ThreadLocalRandom.current().nextInt(100) < route.canaryPercent();
            RegisteredVersion version = onCanary ? route.canary() : route.live();
            long start = System.nanoTime();
            ServedModel model = null;
            try {
                // Taken only if loaded (checked and taken at once), on the first try: not loaded here is its first
                // request on this control plane, or a route read before a switch that unloaded it. Routed on a fresh
                // read, so that a version switched away from is not loaded again by a late request.
                model = attempt == 0 ? versions.servedIfLoaded(version).orElse(null) : versions.served(version);
                if (model == null) {
                    route = routes.refresh(scope, endpoint);
                    continue;
                }
                // Latency is the version's, from when it is ready: the wait of a request that found it still
                // loading on this control plane (its first request here) is the load's, and the log has it.
                start = System.nanoTime();
                if (records.size() > model.maxRecordsPerRequest()) {
                    // A wide model (many one-hot inputs): the request would encode to too much memory at once.
                    throw new PayloadTooLarge(String.format(
                            Locale.ROOT,
                            "%s takes at most %d records per request (each encodes to %d inputs), got %d; split the"
                                    + " batch",
                            version.label(),
                            model.maxRecordsPerRequest(),
                            model.width(),
                            records.size()));
                }
                List<Prediction> predictions;
                try {
                    predictions = model.predict(records, route.batching());
                } catch (NonFiniteAnswer e) {
                    throw new ServingFailure(
                            version.label() + " produced a non-finite prediction; the version is faulty");
                }
                metrics.succeeded(route, version, onCanary, System.nanoTime() - start, records.size());
                if (!onCanary) {
                    // Compared with the live version's answers only: a canary's would mix two comparisons in one.
                    shadows.copy(route, records, predictions);
                }
                return new PredictResponse(
                        version.model(),
                        version.version(),
                        predictions,
                        model.unknownColumns(records, MAX_IGNORED_COLUMNS_SHOWN));
            } catch (PayloadTooLarge e) {
                // The caller's batch, not the version's failure; but a refusal of this version, as a record it cannot
                // take is: a canary wider than the live version (more one-hot inputs) takes fewer records a request,
                // and its canary policy must see the batches it refuses that the live version would answer.
                metrics.rejected(route, version, onCanary);
                throw e;
            } catch (InvalidRecord e) {
                metrics.rejected(route, version, onCanary);
                throw new InvalidRequest("records." + e.field(), e.problem());
            } catch (IllegalStateException e) {
                if (attempt < 2 && (model == null || !versions.isCurrent(version.id(), model))) {
                    // The model it used was unloaded by a switch after this request read its route (even if a late
                    // request has loaded the version again since): route it again.
                    route = routes.refresh(scope, endpoint);
                    continue;
                }
                failed(route, version, onCanary, model, start);
                throw e;
            } catch (RuntimeException e) {
                failed(route, version, onCanary, model, start);
                throw e;
            }
        }
    }

    /** A failure of the version's; with no model (its load failed), without a latency of the version's. */
    private void failed(Route route, RegisteredVersion version, boolean onCanary, ServedModel model, long start) {
        if (model == null) {
            metrics.failedUnanswered(route, version, onCanary, System.nanoTime() - start);
        } else {
            metrics.failed(route, version, onCanary, System.nanoTime() - start);
        }
    }
}
