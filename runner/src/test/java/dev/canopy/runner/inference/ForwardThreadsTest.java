package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.pytorch.jni.JniUtils;
import ai.djl.translate.TranslateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ThreeTorchThreads.class)
class ForwardThreadsTest {

    @Test
    void passesRunOnTheirShareOfThreadsAndNoOtherThreadChanges() throws Exception {
        try (ForwardThreads threads = new ForwardThreads(2, 1)) {
            assertThat(threads.run(ForwardThreadsTest::countAndName)).containsExactly(1, 1);
            assertThat(Thread.currentThread().getName()).doesNotStartWith("canopy-forward-");
        }
        assertThat(JniUtils.getNumThreads()).isEqualTo(3);
        assertThat(ThreeTorchThreads.ofNewThread()).isEqualTo(3);
    }

    /** Started as the version loads, not one by one under its first requests. */
    @Test
    void everyThreadIsStartedAtOnce() {
        try (ForwardThreads threads = new ForwardThreads(3, 1)) {
            assertThat(threads.started()).isEqualTo(3);
        }
    }

    @Test
    void zeroLeavesPyTorchsCount() throws Exception {
        try (ForwardThreads threads = new ForwardThreads(1, 0)) {
            assertThat(threads.run(ForwardThreadsTest::countAndName)).containsExactly(3, 1);
        }
    }

    @Test
    void aFailedPassFailsItsCallerAndTheThreadsGoOn() throws Exception {
        try (ForwardThreads threads = new ForwardThreads(1, 1)) {
            assertThatThrownBy(() -> threads.run(() -> {
                        throw new TranslateException("broken");
                    }))
                    .isInstanceOf(TranslateException.class)
                    .hasMessage("broken");
            assertThatThrownBy(() -> threads.run(() -> {
                        throw new IllegalArgumentException("bad");
                    }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bad");
            assertThat(threads.run(() -> new float[] {2})).containsExactly(2);
        }
    }

    @Test
    void takesNoPassOnceClosed() {
        ForwardThreads threads = new ForwardThreads(1, 1);
        threads.close();

        assertThatThrownBy(() -> threads.run(() -> new float[0]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the model is closed");
        assertThatThrownBy(() -> threads.execute(() -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the model is closed");
    }

    /** The running thread's PyTorch count, and 1 when it is a forward thread. */
    private static float[] countAndName() {
        return new float[] {
            JniUtils.getNumThreads(), Thread.currentThread().getName().startsWith("canopy-forward-") ? 1 : 0
        };
    }
}
