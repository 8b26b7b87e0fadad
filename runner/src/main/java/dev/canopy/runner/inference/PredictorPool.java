package dev.canopy.runner.inference;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.canopy.runner.inference.FeatureMatrixTranslator.Matrix;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A fixed set of DJL predictors shared by the threads of a served model. A {@link Predictor} is not thread-safe,
 * so each {@link #forward} borrows one for the pass and gives it back after it, waiting while all are busy. Waiting
 * threads get predictors in the order they asked: a thread that arrives while others wait queues behind them.
 * Before, a newcomer could take a predictor the moment it came back, ahead of a woken waiter, so most requests never
 * waited and a few waited for many passes. Measured on 2 cores, 64 clients over HTTP with batching off (wrk, A/B
 * in alternation): the (2048, 2048) model's p99 went from 236-250 ms to 40-44 ms (1,833-2,602 against
 * 1,984-2,257 requests per second, within the noise); the small penguins model's from 21-24 ms to 13-14 ms, at
 * 12-25 % fewer requests per second, since each hand-over now wakes a thread for a pass of a few microseconds. The
 * serving benchmark, in runs an hour apart, shows every model losing 10-25 % with batching off. Since passes run
 * on the model's {@link ForwardThreads}, one per predictor, a pass finds a predictor idle and nothing waits here;
 * the threads' queue keeps the same first come, first served order.
 *
 * <p>{@link #close()} closes the idle predictors at once and each borrowed one when it is given back, so it never
 * frees native memory under a running pass; when the last predictor is closed it runs {@code afterLast} (which
 * closes the model). Thread-safe.
 */
final class PredictorPool implements AutoCloseable {

    private final Deque<Predictor<Matrix, float[]>> idle = new ArrayDeque<>();
    /** One permit per idle predictor, handed out first come, first served. */
    private final Semaphore turns = new Semaphore(0, true);

    private final LongAdder passes = new LongAdder();
    private final Runnable afterLast;
    private int open;
    private boolean closed;

    /** Creates {@code size} predictors with {@code factory}; on failure closes those made and {@code afterLast}. */
    PredictorPool(int size, Supplier<Predictor<Matrix, float[]>> factory, Runnable afterLast) {
        this.afterLast = afterLast;
        try {
            for (int i = 0; i < size; i++) {
                idle.push(factory.get());
                open++;
            }
            turns.release(size);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Runs {@code inputs} once through every predictor, so none pays the first-call costs on a request. */
    synchronized void warmUp(Matrix inputs) throws TranslateException {
        for (Predictor<Matrix, float[]> predictor : idle) {
            predictor.predict(inputs);
            passes.increment();
        }
    }

    /**
     * One forward pass on a borrowed predictor.
     *
     * @throws IllegalStateException when the pool is closed, or the thread is interrupted while waiting
     */
    float[] forward(Matrix inputs) throws TranslateException {
        Predictor<Matrix, float[]> predictor = borrow();
        try {
            passes.increment();
            return predictor.predict(inputs);
        } finally {
            giveBack(predictor);
        }
    }

    /** Forward passes run so far, warm-up included. */
    long passes() {
        return passes.sum();
    }

    private Predictor<Matrix, float[]> borrow() {
        try {
            turns.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a predictor", e);
        }
        synchronized (this) {
            if (closed) {
                // Passed on, so that every thread still waiting wakes up and fails too.
                turns.release();
                throw new IllegalStateException("the model is closed");
            }
            return idle.pop();
        }
    }

    private void giveBack(Predictor<Matrix, float[]> predictor) {
        synchronized (this) {
            if (!closed) {
                idle.push(predictor);
                turns.release();
                return;
            }
        }
        closeAll(List.of(predictor));
    }

    @Override
    public void close() {
        List<Predictor<Matrix, float[]>> idleOnes;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            idleOnes = new ArrayList<>(idle);
            idle.clear();
        }
        // Wakes a waiting thread (if any), which passes the permit on after failing.
        turns.release();
        closeAll(idleOnes);
    }

    private void closeAll(List<Predictor<Matrix, float[]>> predictors) {
        predictors.forEach(Predictor::close);
        boolean last;
        synchronized (this) {
            open -= predictors.size();
            last = open == 0;
        }
        if (last) {
            afterLast.run();
        }
    }
}
