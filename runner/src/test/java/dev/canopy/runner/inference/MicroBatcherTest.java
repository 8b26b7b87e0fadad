package dev.canopy.runner.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.djl.translate.TranslateException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher over a fake forward pass (one input and one output per row, output = 10 × input; a negative input
 * fails the pass) that records the rows of each pass. maxWait is a minute, so a batch that waits for company closes
 * by size or by a flush, never by time. A batch waits only while every other predictor runs a pass, so the tests
 * that check how requests are grouped first start held passes ({@link #holdOnePass}) on all predictors but one and
 * queue their requests behind them.
 */
class MicroBatcherTest {

    private final List<Integer> passes = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holdPasses;
    private Batching batching;
    private final List<ForwardThreads> forwardThreads = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeForwardThreads() {
        forwardThreads.forEach(ForwardThreads::close);
    }

    @Test
    void runsALoneRequestOnAnIdlePoolAtOnce() throws Exception {
        try (MicroBatcher batcher = batcher(2, 64)) {
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, batching);

            // Well within the minute a batch would wait for company.
            assertThat(get(a)).containsExactly(10f);
            assertThat(passes).containsExactly(1);
        }
    }

    @Test
    void mergesRequestsThatArriveWhileAnotherPassRunsAndSplitsTheOutputsBack() throws Exception {
        try (MicroBatcher batcher = batcher(2, 4)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, batching);
            CompletableFuture<float[]> b = batcher.submit(new float[] {2, 3}, 2, batching);
            CompletableFuture<float[]> c = batcher.submit(new float[] {4}, 1, batching);

            assertThat(get(a)).containsExactly(10f);
            assertThat(get(b)).containsExactly(20f, 30f);
            assertThat(get(c)).containsExactly(40f);
            assertThat(held).isNotDone();
            assertThat(passes).containsExactly(1, 4);
            release.countDown();
            assertThat(get(held)).containsExactly(70f);
        }
    }

    @Test
    void startsTheNextBatchWithARequestThatWouldOverflowAndRunsALargeOneAlone() throws Exception {
        // One predictor runs the passes one after the other, so their order is the order they were formed in.
        try (MicroBatcher batcher = batcher(1, 3)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            CompletableFuture<float[]> a = batcher.submit(new float[] {1, 2}, 2, batching);
            CompletableFuture<float[]> b = batcher.submit(new float[] {3, 4}, 2, batching);
            CompletableFuture<float[]> c = batcher.submit(new float[] {5}, 1, batching);
            release.countDown();
            assertThat(get(held)).containsExactly(70f);
            assertThat(get(a)).containsExactly(10f, 20f);
            assertThat(get(b)).containsExactly(30f, 40f);
            assertThat(get(c)).containsExactly(50f);

            CompletableFuture<float[]> large = batcher.submit(new float[] {1, 2, 3, 4, 5}, 5, batching);

            assertThat(get(large)).containsExactly(10f, 20f, 30f, 40f, 50f);
            assertThat(passes).containsExactly(1, 2, 3, 5);
        }
    }

    @Test
    void stopsABatchAtTheSmallestRowLimitOfItsRequests() throws Exception {
        try (MicroBatcher batcher = batcher(1, 8)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, rowsUpTo(8));
            CompletableFuture<float[]> b = batcher.submit(new float[] {2}, 1, rowsUpTo(2));
            CompletableFuture<float[]> c = batcher.submit(new float[] {3}, 1, rowsUpTo(8));
            CompletableFuture<float[]> d = batcher.submit(new float[] {4}, 1, rowsUpTo(8));
            release.countDown();

            assertThat(get(held)).containsExactly(70f);
            assertThat(get(a)).containsExactly(10f);
            assertThat(get(b)).containsExactly(20f);
            assertThat(get(c)).containsExactly(30f);
            assertThat(get(d)).containsExactly(40f);
            assertThat(passes).containsExactly(1, 2, 2);
        }
    }

    @Test
    void aRequestJoinsNoBatchBeyondItsOwnRowLimit() throws Exception {
        try (MicroBatcher batcher = batcher(1, 8)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            CompletableFuture<float[]> a = batcher.submit(new float[] {1, 2}, 2, rowsUpTo(8));
            CompletableFuture<float[]> b = batcher.submit(new float[] {3, 4}, 2, rowsUpTo(3));
            CompletableFuture<float[]> c = batcher.submit(new float[] {5}, 1, rowsUpTo(8));
            release.countDown();

            assertThat(get(held)).containsExactly(70f);
            assertThat(get(a)).containsExactly(10f, 20f);
            assertThat(get(b)).containsExactly(30f, 40f);
            assertThat(get(c)).containsExactly(50f);
            assertThat(passes).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aBatchWaitsNoLongerThanTheShortestWaitOfItsRequests() throws Exception {
        try (MicroBatcher batcher = batcher(2, 64)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            // Alone, a would wait a minute for company while the held pass runs; b, which waits for none, joins.
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, batching);
            CompletableFuture<float[]> b = batcher.submit(new float[] {2}, 1, new Batching(true, 64, Duration.ZERO));

            assertThat(get(a)).containsExactly(10f);
            assertThat(get(b)).containsExactly(20f);
            assertThat(held).isNotDone();
            assertThat(passes).containsExactly(1, 2);
            release.countDown();
        }
    }

    @Test
    void runsABatchAtOnceWhileAPredictorIsFreeAndWaitsOnlyWhenEveryOtherOneIsBusy() throws Exception {
        try (MicroBatcher batcher = batcher(3, 2)) {
            CompletableFuture<float[]> first = holdOnePass(batcher);
            // Another pass runs, but a third predictor is free: this batch does not wait its minute for company.
            CompletableFuture<float[]> second = holdOnePass(batcher);
            assertThat(passes).containsExactly(1, 1);

            // Now every other predictor is busy: a waits for company until b fills the batch.
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, batching);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> passes.size() == 2);
            CompletableFuture<float[]> b = batcher.submit(new float[] {2}, 1, batching);

            assertThat(get(a)).containsExactly(10f);
            assertThat(get(b)).containsExactly(20f);
            assertThat(passes).containsExactly(1, 1, 2);
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();
            release.countDown();
            assertThat(get(first)).containsExactly(70f);
            assertThat(get(second)).containsExactly(70f);
        }
    }

    @Test
    void failsExactlyTheRequestsOfTheBatchWhosePassFailed() throws Exception {
        try (MicroBatcher batcher = batcher(1, 2)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, batching);
            CompletableFuture<float[]> b = batcher.submit(new float[] {-1}, 1, batching);
            CompletableFuture<float[]> c = batcher.submit(new float[] {2}, 1, batching);
            CompletableFuture<float[]> d = batcher.submit(new float[] {3}, 1, batching);
            release.countDown();

            for (CompletableFuture<float[]> failed : List.of(a, b)) {
                assertThatThrownBy(() -> get(failed))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(TranslateException.class)
                        .hasMessage("negative input");
            }
            assertThat(get(held)).containsExactly(70f);
            assertThat(get(c)).containsExactly(20f);
            assertThat(get(d)).containsExactly(30f);
            assertThat(passes).containsExactly(1, 2, 2);
        }
    }

    @Test
    void runsAWaitingBatchAtOnceWhenFlushed() throws Exception {
        try (MicroBatcher batcher = batcher(2, 64)) {
            CompletableFuture<float[]> held = holdOnePass(batcher);
            CompletableFuture<float[]> a = batcher.submit(new float[] {1}, 1, batching);

            batcher.flush();

            assertThat(get(a)).containsExactly(10f);
            assertThat(held).isNotDone();
            release.countDown();
        }
    }

    @Test
    void closeFailsQueuedRequestsAndLetsTheRunningPassFinish() throws Exception {
        holdPasses = true;
        MicroBatcher batcher = batcher(1, 1);
        CompletableFuture<float[]> running = batcher.submit(new float[] {1}, 1, batching);
        await().until(() -> passes.size() == 1);
        CompletableFuture<float[]> queued = batcher.submit(new float[] {2}, 1, batching);

        batcher.close();
        release.countDown();

        assertThat(get(running)).containsExactly(10f);
        assertThatThrownBy(() -> get(queued))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the model was closed before this request ran");
        assertThatThrownBy(() -> batcher.submit(new float[] {3}, 1, batching))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the model is closed");
        assertThat(passes).containsExactly(1);
    }

    /**
     * Starts a one-row pass (input 7) that holds its predictor until {@link #release} counts down, and returns once
     * it runs; only that pass holds, the ones after it run straight through.
     */
    private CompletableFuture<float[]> holdOnePass(MicroBatcher batcher) {
        int before = passes.size();
        holdPasses = true;
        CompletableFuture<float[]> held = batcher.submit(new float[] {7}, 1, batching);
        await().until(() -> passes.size() == before + 1);
        holdPasses = false;
        return held;
    }

    /** A pass that fails still took CPU time, and the version's energy counts it (as a pass of its own does). */
    @Test
    void theCpuTimeOfAFailedPassIsCounted() throws Exception {
        ServingCpu cpu = new ServingCpu();
        ForwardThreads threads = new ForwardThreads(1, 0);
        forwardThreads.add(threads);
        Batching once = rowsUpTo(1);
        try (MicroBatcher batcher = new MicroBatcher(1, 1, 1, MicroBatcherTest::burnThenFail, cpu, threads)) {
            CompletableFuture<float[]> failed = batcher.submit(new float[] {1}, 1, once);

            assertThatThrownBy(() -> get(failed)).cause().hasMessage("failed after 20 ms of CPU");
            await().atMost(Duration.ofSeconds(10)).until(() -> cpu.total() >= TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static float[] burnThenFail(float[] inputs, int rows) throws TranslateException {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long start = bean.getCurrentThreadCpuTime();
        while (bean.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(20)) {
            Thread.onSpinWait();
        }
        throw new TranslateException("failed after 20 ms of CPU");
    }

    /** A batcher whose requests (those submitted with {@link #batching}) allow {@code maxBatchRecords} rows. */
    private MicroBatcher batcher(int predictors, int maxBatchRecords) {
        batching = new Batching(true, maxBatchRecords, Duration.ofMinutes(1));
        ForwardThreads threads = new ForwardThreads(predictors, 0);
        forwardThreads.add(threads);
        return new MicroBatcher(predictors, 1, 1, this::timesTen, new ServingCpu(), threads);
    }

    private static Batching rowsUpTo(int maxBatchRecords) {
        return new Batching(true, maxBatchRecords, Duration.ofMinutes(1));
    }

    private float[] timesTen(float[] inputs, int rows) throws TranslateException {
        // Read before the pass is recorded: holdOnePass clears the flag once it sees the pass.
        boolean hold = holdPasses;
        passes.add(rows);
        if (hold) {
            awaitRelease();
        }
        float[] outputs = new float[rows];
        for (int i = 0; i < rows; i++) {
            if (inputs[i] < 0) {
                throw new TranslateException("negative input");
            }
            outputs[i] = inputs[i] * 10;
        }
        return outputs;
    }

    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static float[] get(CompletableFuture<float[]> outputs) throws Exception {
        return outputs.get(10, TimeUnit.SECONDS);
    }
}
