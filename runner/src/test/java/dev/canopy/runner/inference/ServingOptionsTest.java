package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServingOptionsTest {

    @Test
    void defaultsToOnePredictorPerProcessorAndSmallQuickBatches() {
        assertThat(ServingOptions.defaults())
                .isEqualTo(new ServingOptions(
                        Runtime.getRuntime().availableProcessors(), true, 64, Duration.ofMillis(2), 10_000));
    }

    @Test
    void switchesBatchingAndKeepsTheRest() {
        ServingOptions options = new ServingOptions(3, true, 8, Duration.ofMillis(5), 20);

        assertThat(options.withBatching(false)).isEqualTo(new ServingOptions(3, false, 8, Duration.ofMillis(5), 20));
    }

    @Test
    void rejectsValuesOutOfRangeNamingTheOption() {
        Duration wait = Duration.ofMillis(2);

        assertThatThrownBy(() -> new ServingOptions(0, true, 64, wait, 10))
                .hasMessage("predictors must be at least 1, got 0");
        assertThatThrownBy(() -> new ServingOptions(1, true, 0, wait, 10))
                .hasMessage("maxBatchRecords must be 1-1024, got 0");
        assertThatThrownBy(() -> new ServingOptions(1, true, 1025, wait, 10))
                .hasMessage("maxBatchRecords must be 1-1024, got 1025");
        assertThatThrownBy(() -> new ServingOptions(1, true, 64, Duration.ofMillis(-1), 10))
                .hasMessage("maxWait must be zero or positive, got PT-0.001S");
        assertThatThrownBy(() -> new ServingOptions(1, true, 64, null, 10))
                .hasMessage("maxWait must be zero or positive, got null");
        assertThatThrownBy(() -> new ServingOptions(1, true, 64, wait, 0))
                .hasMessage("maxRequestRecords must be at least 1, got 0");
    }
}
