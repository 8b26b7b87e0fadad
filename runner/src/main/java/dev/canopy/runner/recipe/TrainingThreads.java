package dev.canopy.runner.recipe;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.canopy.runner.inference.ModelSpec;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * PyTorch's intra-op threads while a run trains on the CPU. PyTorch uses one thread per core, and every parallel
 * operation waits for all of them. A small MLP's operations are too small to gain from that: with 60,000 rows,
 * hidden layers (64, 32) and batches of 128, one thread trained as fast as two on a 2-core machine (2.03 and 1.05 s
 * against 2.08 and 1.02 s), while (512, 512) gained 1.3x and (1024, 1024) 1.4x from the second thread. What several
 * threads do cost a small model is this: any other busy thread on the machine (the control plane and its database,
 * the run's own epoch reports) preempts one of them and holds up every step. So a run whose batch forward pass is
 * under {@link #SMALL_BATCH_MULTIPLY_ADDS} multiply-adds trains on one thread; see the README's training-overhead
 * benchmark for what that changed.
 *
 * <p>PyTorch keeps this setting per calling thread, so it changes only the training thread: serving and other runs
 * in the same process keep theirs. But PyTorch also keeps the last count set as a process-wide value, which a thread
 * takes at its first operation: a serving thread starting while a small model trains would keep one thread for
 * ever. So once the training thread has its one thread, the process-wide value is set back from a thread of this
 * class's own ({@code canopy-torch-threads}); a thread whose first operation falls between the two calls still
 * gets one. {@link #restore()} puts the training thread's count back.
 */
final class TrainingThreads {

    /** Multiply-adds of one batch's forward pass below which a run trains on one thread. */
    static final long SMALL_BATCH_MULTIPLY_ADDS = 2_000_000;

    private static final ExecutorService ELSEWHERE = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "canopy-torch-threads");
        thread.setDaemon(true);
        return thread;
    });

    private final int before;

    private TrainingThreads(int before) {
        this.before = before;
    }

    /** Changes nothing. */
    static TrainingThreads unchanged() {
        return new TrainingThreads(0);
    }

    /**
     * Narrows the calling thread to one intra-op thread when {@code spec} is small at {@code batchSize} and training
     * runs on the CPU with PyTorch; otherwise changes nothing.
     */
    static TrainingThreads narrow(ModelSpec spec, int batchSize, Device device) {
        if (!Device.Type.CPU.equals(device.getDeviceType())
                || !"PyTorch".equals(Engine.getInstance().getEngineName())
                || batchMultiplyAdds(spec, batchSize) >= SMALL_BATCH_MULTIPLY_ADDS) {
            return unchanged();
        }
        int before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        setProcessWide(before);
        return new TrainingThreads(before);
    }

    /** Sets PyTorch's process-wide count on another thread, leaving the calling thread's as it is. */
    private static void setProcessWide(int threads) {
        try {
            ELSEWHERE.submit(() -> JniUtils.setNumThreads(threads)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("PyTorch's thread count could not be set", e.getCause());
        }
    }

    /** Multiply-adds of the MLP's linear layers for one forward pass of {@code batchSize} rows. */
    static long batchMultiplyAdds(ModelSpec spec, int batchSize) {
        long perRow = 0;
        int in = spec.inputSize();
        for (int units : spec.hiddenLayers()) {
            perRow += (long) in * units;
            in = units;
        }
        perRow += (long) in * spec.outputSize();
        return perRow * batchSize;
    }

    /** A note for the run when {@link #narrow} gave it one thread; empty otherwise. */
    Optional<String> note(ModelSpec spec, int batchSize) {
        if (before <= 0) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "trained on one CPU thread: a batch's forward pass is %.2f million multiply-adds, too small to gain"
                        + " from more",
                batchMultiplyAdds(spec, batchSize) / 1e6));
    }

    /** Gives the calling thread back the count it had before {@link #narrow}, if that changed it. */
    void restore() {
        if (before > 0) {
            JniUtils.setNumThreads(before);
        }
    }
}
