package dev.canopy.runner.inference;

import ai.djl.translate.TranslateException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that run a served model's forward passes ({@code canopy-forward-<n>-<i>}), one per predictor, for
 * batched and unbatched requests alike; tasks wait their turn first come, first served. Each thread sets its
 * PyTorch intra-op threads to {@code threadsPerPass} before its first pass (0 leaves PyTorch's count, one per
 * core). With one predictor per core, PyTorch's count had every pass ask for all the cores: 16 passes at once on 16
 * cores kept 256 threads busy, each parallel operation waiting for its slowest. A pass on one thread also runs on the
 * forward thread itself, where {@link ServingCpu} sees its CPU time; the intra-op threads of a wider pass are not
 * seen. Only these threads change: request threads, which may load or evaluate models too, keep their count.
 * Thread-safe.
 */
final class ForwardThreads implements AutoCloseable {

    /** A forward pass run on one of the threads. */
    @FunctionalInterface
    interface Pass {
        float[] run() throws TranslateException;
    }

    private static final Logger LOG = Logger.getLogger(ForwardThreads.class.getName());
    private static final AtomicInteger NUMBER = new AtomicInteger();

    private final ExecutorService executor;

    ForwardThreads(int count, int threadsPerPass) {
        int number = NUMBER.incrementAndGet();
        AtomicInteger made = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(count, worker -> {
            Runnable narrowedWorker = () -> {
                try {
                    narrow(threadsPerPass);
                } finally {
                    // Even after an Error there: the task that made this thread must run, or its caller waits.
                    worker.run();
                }
            };
            Thread thread = new Thread(narrowedWorker, "canopy-forward-" + number + "-" + made.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // Started now, as the version loads, rather than one by one under its first requests: each new thread
        // narrows its PyTorch threads first (a process-wide lock and a round trip), which slowed a just-loaded
        // version's first passes, and a canary's p99 with them.
        ((ThreadPoolExecutor) executor).prestartAllCoreThreads();
    }

    /** Threads started. */
    int started() {
        return ((ThreadPoolExecutor) executor).getPoolSize();
    }

    /**
     * Queues {@code task} for the next free thread.
     *
     * @throws IllegalStateException once closed
     */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the model is closed", e);
        }
    }

    /**
     * Runs {@code pass} on the next free thread and waits for it.
     *
     * @throws TranslateException as the pass does
     * @throws IllegalStateException once closed, or when interrupted while waiting
     */
    float[] run(Pass pass) throws TranslateException {
        Future<float[]> outputs;
        try {
            outputs = executor.submit(pass::run);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the model is closed", e);
        }
        try {
            return outputs.get();
        } catch (InterruptedException e) {
            // Withdrawn if it has not started: nobody waits for it any more.
            outputs.cancel(false);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a prediction", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TranslateException translate) {
                throw translate;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Takes no new tasks; queued and running ones finish, then the threads end. */
    @Override
    public void close() {
        executor.shutdown();
    }

    private static void narrow(int threadsPerPass) {
        if (threadsPerPass == 0) {
            return;
        }
        try {
            if (!TorchThreads.applies()) {
                return;
            }
            if (TorchThreads.ofThisThread() != threadsPerPass) {
                TorchThreads.setForThisThread(threadsPerPass);
            }
        } catch (RuntimeException e) {
            // Its passes still run, on PyTorch's count.
            LOG.log(Level.WARNING, "PyTorch's threads of a forward thread could not be set", e);
        }
    }
}
