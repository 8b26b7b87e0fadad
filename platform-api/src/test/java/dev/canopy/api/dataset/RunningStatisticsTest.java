package dev.canopy.api.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RunningStatisticsTest {

    private static RunningStatistics of(double... values) {
        RunningStatistics statistics = new RunningStatistics();
        for (double value : values) {
            statistics.add(value);
        }
        return statistics;
    }

    @Test
    void meanAndSampleStandardDeviationOfOrdinaryNumbers() {
        RunningStatistics statistics = of(2, 4, 4, 4, 5, 5, 7, 9);

        assertThat(statistics.mean()).isEqualTo(5.0);
        assertThat(statistics.sampleStandardDeviation()).isCloseTo(Math.sqrt(32.0 / 7), within(1e-12));
    }

    /** Squares of 1e200 pass the largest double, and 1e308 - (-1e308) does too: the profile stays finite. */
    @Test
    void numbersNearTheEndsOfTheDoubleRangeDoNotOverflow() {
        RunningStatistics widest = of(1e308, -1e308);
        RunningStatistics wide = of(1e200, -1e200, 1e200, -1e200);

        assertThat(widest.mean()).isEqualTo(0.0);
        assertThat(widest.sampleStandardDeviation()).isCloseTo(Math.sqrt(2) * 1e308, within(1e295));
        assertThat(wide.mean()).isEqualTo(0.0);
        assertThat(wide.sampleStandardDeviation()).isCloseTo(Math.sqrt(4.0 / 3) * 1e200, within(1e187));
    }

    /** Small deviations added after a huge one still count, in the scaled sum. */
    @Test
    void smallValuesAfterAHugeOneKeepTheirShare() {
        RunningStatistics statistics = of(1e200, -1e200, 0, 0);

        assertThat(statistics.mean()).isEqualTo(0.0);
        assertThat(statistics.sampleStandardDeviation()).isCloseTo(Math.sqrt(2.0 / 3) * 1e200, within(1e187));
    }

    /** A spread past the largest double has no finite std: infinite here, and the profile shows none. */
    @Test
    void aSpreadPastTheLargestDoubleIsInfinite() {
        assertThat(of(1.5e308, -1.5e308).sampleStandardDeviation()).isInfinite();
    }
}
