package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ReportChainTest {

    @Test
    void reportsAreSentInOrderAndAddingOneMoreThanTheLimitWaitsForTheOldest() throws Exception {
        List<Integer> sent = new CopyOnWriteArrayList<>();
        CountDownLatch controlPlaneAnswers = new CountDownLatch(1);
        try (ReportChain chain = new ReportChain(2)) {
            // The first report hangs until the control plane answers; the second waits behind it.
            chain.add(() -> {
                await(controlPlaneAnswers);
                sent.add(1);
            });
            chain.add(() -> sent.add(2));

            // A third would make three waiting: the training thread adding it is held up.
            CompletableFuture<Void> third = CompletableFuture.runAsync(() -> chain.add(() -> sent.add(3)));
            assertThatThrownBy(() -> third.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(sent).isEmpty();

            controlPlaneAnswers.countDown();
            third.get(10, TimeUnit.SECONDS);
            chain.flush();
            assertThat(sent).containsExactly(1, 2, 3);
        }
    }

    @Test
    void reportsAlreadySentDoNotCountAgainstTheLimit() {
        List<Integer> sent = new CopyOnWriteArrayList<>();
        try (ReportChain chain = new ReportChain(1)) {
            for (int i = 1; i <= 5; i++) {
                int report = i;
                chain.add(() -> sent.add(report));
            }
            chain.flush();
            assertThat(sent).containsExactly(1, 2, 3, 4, 5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
