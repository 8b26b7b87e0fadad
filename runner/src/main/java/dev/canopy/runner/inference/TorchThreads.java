package dev.canopy.runner.inference;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * PyTorch's intra-op threads of one calling thread. PyTorch keeps the count per calling thread, so training and
 * serving threads in one process can each have their own. But setting it also sets a process-wide value, which
 * every thread takes at its first operation: a thread set to one would hand one thread to each thread started
 * after it. So {@link #setForThisThread} sets the process-wide value back afterwards, from a thread of this class's
 * own ({@code canopy-torch-threads}). A thread whose first operation falls between the two calls still gets the
 * calling thread's count.
 */
public final class TorchThreads {

    /** Sets the process-wide count, on a thread whose own count does not matter. */
    private static final ExecutorService PROCESS_WIDE = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "canopy-torch-threads");
        thread.setDaemon(true);
        return thread;
    });

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
     * Sets the calling thread's count to {@code threads} and the process-wide count to {@code processWide}.
     *
     * @throws IllegalStateException when the process-wide count could not be set
     */
    public static void setForThisThread(int threads, int processWide) {
        JniUtils.setNumThreads(threads);
        Future<?> done = PROCESS_WIDE.submit(() -> JniUtils.setNumThreads(processWide));
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    done.get();
                    return;
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
