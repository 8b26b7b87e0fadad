package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Calls to an unreachable control plane are tried again for minutes, unless their answer is moot. */
class RetryTest {

    @Test
    void aCallWhoseAnswerIsMootIsGivenUpAfterItsFailedTry() {
        AtomicInteger tries = new AtomicInteger();

        assertThatThrownBy(() -> Retry.call(
                        () -> {
                            tries.incrementAndGet();
                            throw new IOException("connection refused");
                        },
                        () -> true))
                .isInstanceOf(UncheckedIOException.class)
                .hasRootCauseMessage("connection refused");
        assertThat(tries).hasValue(1);
    }

    @Test
    void aCallThatFailsOnceIsTriedAgain() {
        AtomicInteger tries = new AtomicInteger();

        String answer = Retry.call(
                () -> {
                    if (tries.incrementAndGet() == 1) {
                        throw new IOException("502 from the proxy");
                    }
                    return "ok";
                },
                () -> false);

        assertThat(answer).isEqualTo("ok");
        assertThat(tries).hasValue(2);
    }
}
