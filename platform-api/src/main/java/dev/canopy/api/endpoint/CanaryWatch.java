package dev.canopy.api.endpoint;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Compares a canary with the live version on the requests each answered since the canary started (in this
 * process), and decides once, by its {@link CanaryPolicy}, to roll the canary back or to complete it.
 */
final class CanaryWatch {

    /** What the watch decided, and why. */
    record Decision(boolean complete, String reason) {}

    private final CanaryPolicy policy;
    private final Side live = new Side();
    private final Side canary = new Side();
    private final AtomicBoolean decided = new AtomicBoolean();

    CanaryWatch(CanaryPolicy policy) {
        this.policy = policy;
    }

    /** Records one request's outcome; returns the decision the first time one is due. */
    Optional<Decision> record(boolean onCanary, long nanos, boolean error) {
        Side side = onCanary ? canary : live;
        side.requests.increment();
        if (error) {
            side.errors.increment();
        }
        side.latency.record(nanos);
        if (!onCanary || decided.get()) {
            return Optional.empty();
        }
        Optional<Decision> decision = decide();
        return decision.isPresent() && decided.compareAndSet(false, true) ? decision : Optional.empty();
    }

    private Optional<Decision> decide() {
        long n = canary.requests.sum();
        if (n < policy.minRequests()) {
            return Optional.empty();
        }
        double canaryErrors = canary.errorRate();
        double liveErrors = live.errorRate();
        if (canaryErrors - liveErrors > policy.maxErrorRateIncrease()) {
            return Optional.of(new Decision(
                    false,
                    String.format(
                            Locale.ROOT,
                            "canary error rate %.2f %% over %d requests against live %.2f %% over %d: more than %.2f points"
                                    + " worse",
                            100 * canaryErrors,
                            n,
                            100 * liveErrors,
                            live.requests.sum(),
                            100 * policy.maxErrorRateIncrease())));
        }
        double canaryP99 = canary.latency.quantileNanos(0.99) / 1e6;
        double liveP99 = live.latency.quantileNanos(0.99) / 1e6;
        if (live.requests.sum() > 0
                && canaryP99 > liveP99 * (1 + policy.maxP99Increase())
                && canaryP99 - liveP99 >= 1) {
            return Optional.of(new Decision(
                    false,
                    String.format(
                            Locale.ROOT,
                            "canary p99 latency %.2f ms against live %.2f ms: more than %.0f %% slower",
                            canaryP99,
                            liveP99,
                            100 * policy.maxP99Increase())));
        }
        if (n >= policy.completeAfter()) {
            return Optional.of(new Decision(
                    true,
                    String.format(
                            Locale.ROOT,
                            "canary served %d requests within the policy (errors %.2f %% vs %.2f %%, p99 %.2f ms vs %.2f ms)",
                            n,
                            100 * canaryErrors,
                            100 * liveErrors,
                            canaryP99,
                            liveP99)));
        }
        return Optional.empty();
    }

    private static final class Side {
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LatencyHistogram latency = new LatencyHistogram();

        double errorRate() {
            long n = requests.sum();
            return n == 0 ? 0 : (double) errors.sum() / n;
        }
    }
}
