package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.LatencyHistogram.Counts;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Compares a canary with the live version on the requests each answered since the canary started, and decides once,
 * by its {@link CanaryPolicy}, to roll the canary back or to complete it. It counts the requests this control plane
 * served and adds what the other control planes reported ({@link #pool}), so that with several control planes the
 * policy sees all the traffic: a decision can come from a request here or from a report of the others.
 */
final class CanaryWatch {

    /** What the watch decided, and why. */
    record Decision(boolean complete, String reason) {}

    /** One side's requests, errors and latencies. */
    record Tally(long requests, long errors, Counts latency) {

        static final Tally NONE = new Tally(0, 0, Counts.EMPTY);

        Tally plus(Tally other) {
            return new Tally(requests + other.requests, errors + other.errors, latency.plus(other.latency));
        }
    }

    /** What some control planes saw of the canary: the live side, the canary side, and how many planes that is. */
    record Seen(Tally live, Tally canary, int controlPlanes) {

        static final Seen NONE = new Seen(Tally.NONE, Tally.NONE, 0);

        Seen plus(Seen other) {
            return new Seen(live.plus(other.live), canary.plus(other.canary), controlPlanes + other.controlPlanes);
        }
    }

    /**
     * Requests each side needs before its p99 is compared (unless the canary is about to complete): with 100, the p99
     * is the slowest request or two, and one slow first call of a just-loaded version rolled back a canary as good as
     * the live version (2 of 9 tries); with 500 it is the fifth slowest.
     */
    static final int LATENCY_MIN_REQUESTS = 500;

    private final CanaryPolicy policy;
    private final Side live = new Side();
    private final Side canary = new Side();
    private final AtomicBoolean decided = new AtomicBoolean();
    private volatile Seen others = Seen.NONE;

    CanaryWatch(CanaryPolicy policy) {
        this.policy = policy;
    }

    /** Records one request's outcome here; returns the decision the first time one is due. */
    Optional<Decision> record(boolean onCanary, long nanos, boolean error) {
        Side side = onCanary ? canary : live;
        side.requests.increment();
        if (error) {
            side.errors.increment();
        }
        side.latency.record(nanos);
        return onCanary ? decideOnce() : Optional.empty();
    }

    /**
     * Records a request the version refused (400: a record it cannot take) as an error of its side, with no latency:
     * a canary that refuses records the live version takes is worse than it, while records both refuse count on
     * both sides alike. Returns the decision the first time one is due.
     */
    Optional<Decision> refused(boolean onCanary) {
        Side side = onCanary ? canary : live;
        side.requests.increment();
        side.errors.increment();
        return onCanary ? decideOnce() : Optional.empty();
    }

    /** What this control plane saw, to report to the others. */
    Seen local() {
        return new Seen(live.tally(), canary.tally(), 1);
    }

    /** Takes what the other control planes saw (replacing what they reported before); a decision if one is due. */
    Optional<Decision> pool(Seen seenElsewhere) {
        others = seenElsewhere;
        return decideOnce();
    }

    /** The decision given could not be carried out: the next request or pooling round decides again. */
    void undecided() {
        decided.set(false);
    }

    private Optional<Decision> decideOnce() {
        if (decided.get()) {
            return Optional.empty();
        }
        Optional<Decision> decision = decide();
        return decision.isPresent() && decided.compareAndSet(false, true) ? decision : Optional.empty();
    }

    private Optional<Decision> decide() {
        Seen elsewhere = others;
        long n = canary.requests.sum() + elsewhere.canary().requests();
        if (n < policy.minRequests()) {
            return Optional.empty();
        }
        long liveN = live.requests.sum() + elsewhere.live().requests();
        double canaryErrors = rate(canary.errors.sum() + elsewhere.canary().errors(), n);
        double liveErrors = rate(live.errors.sum() + elsewhere.live().errors(), liveN);
        String where = elsewhere.controlPlanes() == 0
                ? ""
                : String.format(Locale.ROOT, " (%d control planes)", elsewhere.controlPlanes() + 1);
        if (canaryErrors - liveErrors > policy.maxErrorRateIncrease()) {
            return Optional.of(new Decision(
                    false,
                    String.format(
                            Locale.ROOT,
                            "canary error rate %.2f %% over %d requests against live %.2f %% over %d: more than %.2f points"
                                    + " worse%s",
                            100 * canaryErrors,
                            n,
                            100 * liveErrors,
                            liveN,
                            100 * policy.maxErrorRateIncrease(),
                            where)));
        }
        double canaryP99 = canary.latency.quantileNanos(0.99, elsewhere.canary().latency()) / 1e6;
        double liveP99 = live.latency.quantileNanos(0.99, elsewhere.live().latency()) / 1e6;
        // Answered requests (refused ones have no latency): a canary completes on what it served, and a p99 is of
        // as many latencies as it has.
        long answered = canary.latency.count() + elsewhere.canary().latency().total();
        long liveAnswered = live.latency.count() + elsewhere.live().latency().total();
        boolean completing = answered >= policy.completeAfter();
        boolean tailsKnown = Math.min(answered, liveAnswered) >= LATENCY_MIN_REQUESTS || completing;
        if (tailsKnown
                && liveN > 0
                && canaryP99 > liveP99 * (1 + policy.maxP99Increase())
                && canaryP99 - liveP99 >= 1) {
            return Optional.of(new Decision(
                    false,
                    String.format(
                            Locale.ROOT,
                            "canary p99 latency %.2f ms against live %.2f ms: more than %.0f %% slower%s",
                            canaryP99,
                            liveP99,
                            100 * policy.maxP99Increase(),
                            where)));
        }
        if (completing) {
            return Optional.of(new Decision(
                    true,
                    String.format(
                            Locale.ROOT,
                            "canary served %d requests within the policy (errors %.2f %% vs %.2f %%, p99 %.2f ms vs %.2f"
                                    + " ms)%s",
                            answered,
                            100 * canaryErrors,
                            100 * liveErrors,
                            canaryP99,
                            liveP99,
                            where)));
        }
        return Optional.empty();
    }

    private static double rate(long errors, long requests) {
        return requests == 0 ? 0 : (double) errors / requests;
    }

    private static final class Side {
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LatencyHistogram latency = new LatencyHistogram();

        Tally tally() {
            // Errors first: read before requests, they never exceed them.
            long errorCount = errors.sum();
            return new Tally(Math.max(requests.sum(), errorCount), errorCount, latency.counts());
        }
    }
}
