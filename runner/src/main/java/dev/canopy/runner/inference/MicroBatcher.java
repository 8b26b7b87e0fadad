package dev.canopy.runner.inference;

import ai.djl.translate.TranslateException;
import dev.canopy.runner.inference.Batch.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Merges concurrent requests into shared forward passes. One daemon thread ({@code canopy-batcher-<n>}) takes the
 * first waiting request, then collects waiting requests until the batch holds its row limit or its wait has passed
 * since the first was taken (requests already waiting are still taken after that, up to the row limit). Limits come
 * with each request ({@link Batching}), so endpoints with different settings share one batcher: a batch stops at the
 * smallest {@code maxBatchRecords} and the shortest {@code maxWait} among its requests, and a request joins only a
 * batch that stays within its own. A batch waits for company only if every other predictor is running a pass when it
 * starts: while one is free it takes what is already queued and runs at once, so a lone request pays no wait and
 * passes too short to keep the predictors busy do not make requests wait for nothing, while under load requests
 * queue up behind the running passes anyway. (With two predictors that is: only while the other one runs a pass;
 * with one, never.) A request that does not fit starts the next batch, so a request larger than its {@code
 * maxBatchRecords} runs alone and is never split across batches.
 *
 * <p>Batches run on the model's {@link ForwardThreads}, at most {@code predictors} at once, while the batcher
 * collects the next. A failed pass fails exactly the requests of its batch.
 * The forward threads' CPU time (concatenating and the pass) is added to {@code cpu}, once per batch.
 * Thread-safe.
 */
final class MicroBatcher implements AutoCloseable {

    /** The forward pass a batch runs: {@code rows} rows in, {@code rows × outputSize} raw outputs out. */
    @FunctionalInterface
    interface BatchForward {
        float[] run(float[] inputs, int rows) throws TranslateException;
    }

    /** Wakes a collecting batcher so that it stops waiting; never part of a batch. */
    private static final Request WAKE_UP = new Request(new float[0], 0, Batching.defaults());

    private static final AtomicInteger NUMBER = new AtomicInteger();

    private final BlockingQueue<Request> waiting = new LinkedBlockingQueue<>();
    private final int width;
    private final int outputSize;
    private final BatchForward forward;
    private final ServingCpu cpu;
    private final int predictors;
    private final Semaphore slots;
    private final ForwardThreads forwards;
    private final Thread batcher;
    private volatile boolean flushing;
    private boolean stopped;

    MicroBatcher(
            int predictors, int width, int outputSize, BatchForward forward, ServingCpu cpu, ForwardThreads forwards) {
        this.width = width;
        this.outputSize = outputSize;
        this.forward = forward;
        this.cpu = cpu;
        this.predictors = predictors;
        this.slots = new Semaphore(predictors);
        this.forwards = forwards;
        this.batcher = new Thread(this::collectAndDispatch, "canopy-batcher-" + NUMBER.incrementAndGet());
        batcher.setDaemon(true);
        batcher.start();
    }

    /**
     * Queues {@code rows} encoded rows ({@code width} inputs each) to be batched within {@code batching}'s limits
     * (its {@code enabled} is not looked at); the future completes with their raw outputs or fails with the error
     * of their batch's pass.
     *
     * @throws IllegalStateException once the batcher is closed
     */
    CompletableFuture<float[]> submit(float[] inputs, int rows, Batching batching) {
        Request request = new Request(inputs, rows, batching);
        synchronized (this) {
            if (stopped) {
                throw new IllegalStateException("the model is closed");
            }
            waiting.add(request);
        }
        return request.outputs();
    }

    /** Stops waiting for more requests: from now on each batch takes only what is already queued. */
    void flush() {
        flushing = true;
        waiting.add(WAKE_UP);
    }

    private void collectAndDispatch() {
        Batch batch = new Batch();
        Request next = null;
        try {
            while (true) {
                slots.acquire();
                Request first = next != null ? next : waiting.take();
                if (first == WAKE_UP) {
                    slots.release();
                    continue;
                }
                batch.add(first);
                next = collect(batch);
                dispatch(batch);
                batch = new Batch();
            }
        } catch (InterruptedException e) {
            // close() stops the batcher; whatever it had not dispatched fails below.
        } finally {
            batch.failUnfinished();
            if (next != null) {
                batch = new Batch();
                batch.add(next);
                batch.failUnfinished();
            }
        }
    }

    /** Adds waiting requests to {@code batch}; returns the one that did not fit, if any, to start the next. */
    private Request collect(Batch batch) throws InterruptedException {
        long start = System.nanoTime();
        boolean wait = everyOtherPredictorBusy();
        while (!batch.full()) {
            // The batch's wait can only shorten as requests join it.
            long left = wait ? start + batch.maxWaitNanos() - System.nanoTime() : 0;
            Request request = flushing || left <= 0 ? waiting.poll() : waiting.poll(left, TimeUnit.NANOSECONDS);
            if (request == null) {
                return null;
            }
            if (request == WAKE_UP) {
                continue;
            }
            if (!batch.fits(request)) {
                return request;
            }
            batch.add(request);
        }
        return null;
    }

    /**
     * Whether there are other predictors and every one of them runs a pass, so that running the batch now would
     * leave none for the next. While one is free, waiting would only delay this batch; with no other predictor no
     * pass runs beside it, and the requests that came during the last one are already queued.
     */
    private boolean everyOtherPredictorBusy() {
        return predictors > 1 && slots.availablePermits() == 0;
    }

    private void dispatch(Batch batch) {
        try {
            forwards.execute(() -> run(batch));
        } catch (RuntimeException e) {
            slots.release();
            batch.fail(e);
        }
    }

    private void run(Batch batch) {
        try {
            float[] outputs;
            long mark = cpu.mark();
            try {
                outputs = forward.run(batch.inputs(width), batch.rows());
            } finally {
                // Counted before the callers wake, so a caller that returns sees its batch in the total; a failed
                // pass took CPU time too (as a pass of a request's own counts it).
                cpu.addSince(mark);
            }
            batch.complete(outputs, outputSize);
        } catch (TranslateException | RuntimeException e) {
            batch.fail(e);
        } finally {
            slots.release();
            // An Error above must not leave the callers waiting forever.
            batch.failUnfinished();
        }
    }

    /**
     * Stops the batcher: requests still queued fail with {@link IllegalStateException}; batches already running
     * finish on their threads (which the model closes).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        batcher.interrupt();
        try {
            batcher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Request> left = new ArrayList<>();
        waiting.drainTo(left);
        Batch unrun = new Batch();
        left.stream().filter(request -> request != WAKE_UP).forEach(unrun::add);
        unrun.failUnfinished();
    }
}
