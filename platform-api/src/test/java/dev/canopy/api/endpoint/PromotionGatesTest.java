package dev.canopy.api.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.model.RegisteredVersion;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The beats-live gate on versions whose stored test metric is not a number (a diverged run registers NaN). */
class PromotionGatesTest {

    private static final GateSpec BEATS_LIVE_ON_LOSS =
            new GateSpec("beats-live", "test_loss", null, null, 0.0, null, null, null, null);

    private static RegisteredVersion version(int number, double loss) {
        return new RegisteredVersion(
                UUID.randomUUID(),
                UUID.randomUUID(),
                "m",
                number,
                Map.of("test_loss", loss),
                "k",
                "CLASSIFICATION",
                null);
    }

    @Test
    void anyFiniteValueBeatsALiveVersionStuckAtNaN() {
        GateResult result = PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, 0.3), version(1, Double.NaN));

        assertThat(result.passed()).isTrue();
        assertThat(result.detail()).contains("m:2 test_loss = 0.3 against live m:1 test_loss = NaN");
    }

    @Test
    void aCandidateAtNaNOrInfinityBeatsNothing() {
        for (double loss : new double[] {Double.NaN, Double.NEGATIVE_INFINITY}) {
            GateResult result = PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, loss), version(1, 0.3));

            assertThat(result.passed()).as("%s", loss).isFalse();
            assertThat(result.detail()).contains("not a score that beats anything");
        }
        assertThat(PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, Double.NaN), version(1, Double.NaN))
                        .passed())
                .isFalse();
        // Nor with nothing live to beat.
        assertThat(PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, Double.NaN), null)
                        .passed())
                .isFalse();
        assertThat(PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, 0.3), null)
                        .passed())
                .isTrue();
    }

    @Test
    void finiteValuesCompareByTheMetricsDirection() {
        assertThat(PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, 0.2), version(1, 0.3))
                        .passed())
                .isTrue();
        assertThat(PromotionGates.evaluate(BEATS_LIVE_ON_LOSS, version(2, 0.4), version(1, 0.3))
                        .passed())
                .isFalse();
    }
}
