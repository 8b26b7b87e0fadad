package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServingOptionsTest {

    @Test
    void defaultsToOnePredictorPerProcessorEachPassOnOneThreadAndSmallQuickBatches() {
        assertThat(ServingOptions.defaults())
                .isEqualTo(new ServingOptions(
                        Runtime.getRuntime().availableProcessors(),
                        1,
                        new Batching(true, 64, Duration.ofMillis(2)),
                        10_000));
    }

    @Test
    void passesShareTheProcessors() {
        int processors = Runtime.getRuntime().availableProcessors();

        assertThat(ServingOptions.threadsPerPass(1)).isEqualTo(processors);
        assertThat(ServingOptions.threadsPerPass(processors * 2)).isEqualTo(1);
    }

    @Test
    void switchesBatchingAndKeepsTheRest() {
        ServingOptions options = new ServingOptions(3, 2, new Batching(true, 8, Duration.ofMillis(5)), 20);

        assertThat(options.withBatching(false))
                .isEqualTo(new ServingOptions(3, 2, new Batching(false, 8, Duration.ofMillis(5)), 20));
    }

    @Test
    void rejectsValuesOutOfRangeNamingTheOption() {
        Duration wait = Duration.ofMillis(2);
        Batching batching = Batching.defaults();

        assertThatThrownBy(() -> new ServingOptions(0, 1, batching, 10))
                .hasMessage("predictors must be at least 1, got 0");
        assertThatThrownBy(() -> new ServingOptions(1, -1, batching, 10))
                .hasMessage("threadsPerPass must be 0 or more, got -1");
        assertThatThrownBy(() -> new ServingOptions(1, 1, null, 10)).hasMessage("batching must be given");
        assertThatThrownBy(() -> new ServingOptions(1, 1, batching, 0))
                .hasMessage("maxRequestRecords must be at least 1, got 0");
        assertThatThrownBy(() -> new Batching(true, 0, wait)).hasMessage("maxBatchRecords must be 1-1024, got 0");
        assertThatThrownBy(() -> new Batching(true, 1025, wait)).hasMessage("maxBatchRecords must be 1-1024, got 1025");
        assertThatThrownBy(() -> new Batching(true, 64, Duration.ofMillis(-1)))
                .hasMessage("maxWait must be zero or positive, got PT-0.001S");
        assertThatThrownBy(() -> new Batching(true, 64, null)).hasMessage("maxWait must be zero or positive, got null");
    }
}
