package dev.canopy.api.endpoint;

import dev.canopy.api.endpoint.LatencyHistogram.Counts;
import java.math.BigDecimal;
import java.math.RoundingMode;
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

    /**
     * Answers above the latency quantile compared, on the side with fewer: the p99 from {@link #LATENCY_MIN_REQUESTS}
     * answers on, and a lower quantile for a canary that completes with fewer (the p95 of 100), so that its last
     * comparison is not of its slowest request or two.
     */
    static final int TAIL_ANSWERS = LATENCY_MIN_REQUESTS / 100;

    /**
     * z of a one-sided 99 % bound. The rule is looked at again on every canary request, up to {@code completeAfter}:
     * at 95 %, about one canary in twenty as good as the live version was rolled back (a tenth of requests failing on
     * both sides, 10 % of traffic on the canary, in a simulation); at 99 %, about one in two hundred, while one failing
     * 5 % of requests against the live version's 1 % is still rolled back about 9 times in 10 (CanaryWatchTest).
     */
    private static final double Z = 2.3263478740408408;

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
        if (errorRateIncreaseAtLeast(
                        canary.errors.sum() + elsewhere.canary().errors(), n, liveErrorCount(elsewhere), liveN)
                > policy.maxErrorRateIncrease()) {
            return Optional.of(new Decision(
                    false,
                    String.format(
                            Locale.ROOT,
                            "canary error rate %.2f %% over %d requests against live %.2f %% over %d: more than %.2f points"
                                    + " worse at 99 %% confidence%s",
                            100 * canaryErrors,
                            n,
                            100 * liveErrors,
                            liveN,
                            100 * policy.maxErrorRateIncrease(),
                            where)));
        }
        // Answered requests (refused ones have no latency): a canary completes on what it served, and a quantile is
        // of as many latencies as it has.
        long answered = canary.latency.count() + elsewhere.canary().latency().total();
        long liveAnswered = live.latency.count() + elsewhere.live().latency().total();
        boolean completing = answered >= policy.completeAfter();
        long fewest = Math.min(answered, liveAnswered);
        // The p99 once each side has enough answers; at completion the quantile with TAIL_ANSWERS above it on the side
        // with fewer (none below a median).
        double q = Math.min(0.99, 1 - (double) TAIL_ANSWERS / Math.max(fewest, 1));
        boolean compared = fewest >= LATENCY_MIN_REQUESTS || (completing && q >= 0.5);
        double canaryTail = canary.latency.quantileNanos(q, elsewhere.canary().latency()) / 1e6;
        double liveTail = live.latency.quantileNanos(q, elsewhere.live().latency()) / 1e6;
        if (compared && canaryTail > liveTail * (1 + policy.maxP99Increase()) && canaryTail - liveTail >= 1) {
            return Optional.of(new Decision(
                    false,
                    String.format(
                            Locale.ROOT,
                            "canary %s latency %.2f ms against live %.2f ms: more than %.0f %% slower%s",
                            quantileName(q),
                            canaryTail,
                            liveTail,
                            100 * policy.maxP99Increase(),
                            where)));
        }
        if (completing) {
            return Optional.of(new Decision(
                    true,
                    String.format(
                            Locale.ROOT,
                            "canary served %d requests within the policy (errors %.2f %% vs %.2f %%, %s)%s",
                            answered,
                            100 * canaryErrors,
                            100 * liveErrors,
                            compared
                                    ? String.format(
                                            Locale.ROOT, "%s %.2f ms vs %.2f ms", quantileName(q), canaryTail, liveTail)
                                    : "latency not compared: live answered " + liveAnswered,
                            where)));
        }
        return Optional.empty();
    }

    private long liveErrorCount(Seen elsewhere) {
        return live.errors.sum() + elsewhere.live().errors();
    }

    /**
     * The lower one-sided 99 % bound of the canary's error rate minus the live version's (Newcombe's hybrid score
     * interval, from each side's Wilson interval): the increase the requests show beyond chance. Comparing the two
     * rates as measured rolled back half the canaries as good as the live version when a tenth of requests fail
     * on both (a client's bad records), and with a canary at 99 % of traffic it compared with a live rate of one or
     * two requests.
     */
    static double errorRateIncreaseAtLeast(long canaryErrors, long canaryN, long liveErrors, long liveN) {
        double canaryRate = rate(canaryErrors, canaryN);
        double liveRate = rate(liveErrors, liveN);
        double canaryLow = wilson(canaryErrors, canaryN, -1);
        double liveHigh = wilson(liveErrors, liveN, 1);
        return canaryRate
                - liveRate
                - Math.sqrt((canaryRate - canaryLow) * (canaryRate - canaryLow)
                        + (liveHigh - liveRate) * (liveHigh - liveRate));
    }

    /** The lower ({@code sign} -1) or upper (1) end of the Wilson score interval of a rate; 0 to 1 with no requests. */
    private static double wilson(long errors, long n, int sign) {
        if (n == 0) {
            return sign < 0 ? 0 : 1;
        }
        double p = (double) errors / n;
        double z2 = Z * Z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return Math.min(1, Math.max(0, centre + sign * half));
    }

    /** {@code p99}, {@code p95}, {@code p97.5}: a quantile as latency reports name it. */
    private static String quantileName(double q) {
        return "p"
                + BigDecimal.valueOf(100 * q)
                        .setScale(1, RoundingMode.HALF_UP)
                        .stripTrailingZeros()
                        .toPlainString();
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
