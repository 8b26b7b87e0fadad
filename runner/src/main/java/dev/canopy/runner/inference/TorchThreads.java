package dev.canopy.runner.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * PyTorch's intra-op threads of one calling thread. PyTorch keeps the count per calling thread, so training and
 * serving threads in one process can each have their own. But setting it also sets a process-wide value, which
 * every thread takes at its first operation: a thread set to one would hand one thread to each thread started
 * after it. So every change made here is followed by setting the process-wide value back to the default (the count
 * PyTorch gave threads when this class first changed one, unless {@link #setDefault} changed it since), from a
 * thread of this class's own ({@code canopy-torch-threads}), one change at a time. A thread whose first operation
 * falls between the two calls still gets the calling thread's count.
 */
public final class TorchThreads {

    /** Sets the process-wide count, on a thread whose own count does not matter. */
    private static final ExecutorService PROCESS_WIDE = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "canopy-torch-threads");
        thread.setDaemon(true);
        return thread;
    });

    private static final Object LOCK = new Object();

    /** The default count; 0 until first read. Guarded by {@link #LOCK}. */
    private static int defaultCount;

    private TorchThreads() {}

    /** Whether the engine is PyTorch, whose thread counts this class sets. */
    public static boolean applies() {
        return "PyTorch".equals(Engine.getInstance().getEngineName());
    }

    /** The calling thread's count. */
    public static int ofThisThread() {
        return JniUtils.getNumThreads();
    }

    /**
     * Sets the calling thread's count to {@code threads}; the process-wide count stays the default.
     *
     * @throws IllegalStateException when the process-wide count could not be set
     */
    public static void setForThisThread(int threads) {
        synchronized (LOCK) {
            int processWide = defaultCount();
            // A thread's first operation takes the process-wide count; made here, so that it cannot undo this one.
            JniUtils.getNumThreads();
            JniUtils.setNumThreads(threads);
            onOwnThread(() -> {
                JniUtils.setNumThreads(processWide);
                return null;
            });
        }
    }

    /** The count threads take at their first operation. */
    public static int defaultCount() {
        synchronized (LOCK) {
            if (defaultCount == 0) {
                // This class's thread has only ever been set to the default: its count is the process-wide one.
                defaultCount = onOwnThread(JniUtils::getNumThreads);
            }
            return defaultCount;
        }
    }

    /** Makes {@code threads} the default, and the calling thread's count. */
    public static void setDefault(int threads) {
        synchronized (LOCK) {
            defaultCount = threads;
            setForThisThread(threads);
        }
    }

    private static <T> T onOwnThread(Callable<T> task) {
        Future<T> done = PROCESS_WIDE.submit(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    // The count must be right before the caller goes on; the interrupt is kept for it.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("PyTorch's thread count could not be set", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
