package dev.canopy.api.endpoint;

import dev.canopy.api.error.InvalidRequest;

/**
 * When a canary decides on its own. After {@code minRequests} canary requests it is rolled back when its error
 * rate exceeds the live version's by more than {@code maxErrorRateIncrease} (0.02: two percentage points) at 99 %
 * confidence (see {@link CanaryWatch#errorRateIncreaseAtLeast}), or its p99 latency exceeds the live version's by
 * more than {@code maxP99Increase} (0.5: 50 %) and by at least 1 ms (compared once each side has {@value
 * CanaryWatch#LATENCY_MIN_REQUESTS} answers; a canary completing with fewer is judged on a lower quantile, see
 * {@link CanaryWatch#TAIL_ANSWERS}); it is completed (made live) after {@code completeAfter} canary requests that
 * did not roll it back.
 */
record CanaryPolicy(int minRequests, int completeAfter, double maxErrorRateIncrease, double maxP99Increase) {

    static final CanaryPolicy DEFAULT = new CanaryPolicy(100, 1000, 0.02, 0.5);

    /** The request's fields over the defaults, checked. */
    static CanaryPolicy of(
            Integer minRequests, Integer completeAfter, Double maxErrorRateIncrease, Double maxP99Increase) {
        CanaryPolicy policy = new CanaryPolicy(
                minRequests == null ? DEFAULT.minRequests : minRequests,
                completeAfter == null ? DEFAULT.completeAfter : completeAfter,
                maxErrorRateIncrease == null ? DEFAULT.maxErrorRateIncrease : maxErrorRateIncrease,
                maxP99Increase == null ? DEFAULT.maxP99Increase : maxP99Increase);
        if (policy.minRequests < 1) {
            throw new InvalidRequest("canary.minRequests", "must be 1 or more, not " + policy.minRequests);
        }
        if (policy.completeAfter < policy.minRequests) {
            throw new InvalidRequest("canary.completeAfter", "needs 1 <= minRequests <= completeAfter");
        }
        // An error rate rises by at most 1 (0 % to 100 %); an infinite margin would be a canary that can never fail.
        if (!(policy.maxErrorRateIncrease >= 0 && policy.maxErrorRateIncrease <= 1)) {
            throw new InvalidRequest(
                    "canary.maxErrorRateIncrease",
                    "must be between 0 and 1 (a share of requests), not " + policy.maxErrorRateIncrease);
        }
        if (!(policy.maxP99Increase >= 0 && Double.isFinite(policy.maxP99Increase))) {
            throw new InvalidRequest(
                    "canary.maxP99Increase", "must be a finite number of 0 or more, not " + policy.maxP99Increase);
        }
        return policy;
    }
}
