package dev.canopy.api.endpoint;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.runner.inference.Batching;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An endpoint's micro-batching settings as set on it (at creation, or with {@code PUT .../batching}): whether its
 * requests may share forward passes, the most records in a pass they join, and how long a pass that starts while
 * another runs waits for company. A null field takes the platform's default ({@code canopy.serving.batching},
 * {@code .max-batch-records}, {@code .max-wait}), so changing a default reaches every endpoint that left it out.
 */
record EndpointBatching(Boolean enabled, Integer maxBatchRecords, Double maxWaitMs) {

    /** The longest maxWaitMs accepted: a wait beyond a second would only hold requests back. */
    static final double MAX_WAIT_MS = 1000;

    /** Nothing set: every field from the platform's defaults. */
    static final EndpointBatching DEFAULTS = new EndpointBatching(null, null, null);

    /** @throws InvalidRequest naming the field out of range */
    EndpointBatching checked() {
        if (maxBatchRecords != null && (maxBatchRecords < 1 || maxBatchRecords > Batching.MAX_BATCH_RECORDS)) {
            throw new InvalidRequest("batching.maxBatchRecords", "must be between 1 and " + Batching.MAX_BATCH_RECORDS);
        }
        if (maxWaitMs != null && !(maxWaitMs >= 0 && maxWaitMs <= MAX_WAIT_MS)) {
            throw new InvalidRequest("batching.maxWaitMs", "must be between 0 and " + (int) MAX_WAIT_MS);
        }
        return this;
    }

    /** What an endpoint stores for {@code requested} (checked): null when it sets nothing, or nothing was given. */
    static EndpointBatching toStore(EndpointBatching requested) {
        return requested == null || requested.checked().fieldsSet().isEmpty() ? null : requested;
    }

    /** The settings the endpoint's requests are served with: its own fields over the platform's defaults. */
    Batching resolve(ServingConfig config) {
        Batching defaults = platformDefaults(config);
        return new Batching(
                enabled != null ? enabled : defaults.enabled(),
                maxBatchRecords != null ? maxBatchRecords : defaults.maxBatchRecords(),
                maxWaitMs != null ? Duration.ofNanos(Math.round(maxWaitMs * 1e6)) : defaults.maxWait());
    }

    /** The names of the fields set on the endpoint. */
    List<String> fieldsSet() {
        List<String> set = new ArrayList<>();
        if (enabled != null) {
            set.add("enabled");
        }
        if (maxBatchRecords != null) {
            set.add("maxBatchRecords");
        }
        if (maxWaitMs != null) {
            set.add("maxWaitMs");
        }
        return set;
    }

    static Batching platformDefaults(ServingConfig config) {
        return new Batching(config.batching(), config.maxBatchRecords(), config.maxWait());
    }

    /** For the audit trail, e.g. "on, up to 64 records, waits up to 2 ms". */
    static String describe(Batching batching) {
        if (!batching.enabled()) {
            return "off";
        }
        return String.format(
                Locale.ROOT,
                "on, up to %d records, waits up to %s ms",
                batching.maxBatchRecords(),
                BigDecimal.valueOf(millis(batching.maxWait()))
                        .stripTrailingZeros()
                        .toPlainString());
    }

    static double millis(Duration wait) {
        return wait.toNanos() / 1e6;
    }
}
