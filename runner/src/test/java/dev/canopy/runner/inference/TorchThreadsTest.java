package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ThreeTorchThreads.class)
class TorchThreadsTest {

    @Test
    void aChangeLeavesTheDefaultForNewThreadsWhateverTheProcessWideValueWasMeanwhile() {
        // Someone sets a count directly: PyTorch's process-wide value follows it for a while.
        JniUtils.setNumThreads(1);
        assertThat(ThreeTorchThreads.ofNewThread()).isEqualTo(1);

        int narrowed = CompletableFuture.supplyAsync(
                        () -> {
                            TorchThreads.setForThisThread(2);
                            return TorchThreads.ofThisThread();
                        },
                        r -> new Thread(r).start())
                .join();

        assertThat(narrowed).isEqualTo(2);
        assertThat(ThreeTorchThreads.ofNewThread())
                .as("the default, not the 1 of the moment")
                .isEqualTo(3);
        assertThat(TorchThreads.defaultCount()).isEqualTo(3);
    }
}
