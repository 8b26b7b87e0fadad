package dev.canopy.runner.recipe;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.canopy.runner.inference.ModelSpec;
import dev.canopy.runner.inference.TorchThreads;
import java.util.Locale;
import java.util.Optional;

/**
 * PyTorch's intra-op threads while a run trains on the CPU. PyTorch uses one thread per core, and every parallel
 * operation waits for all of them. A small MLP's operations are too small to gain from that. With 60,000 rows,
 * hidden layers (64, 32) and batches of 128, two rounds of two epochs each took 2.03 and 1.05 s on one thread and
 * 2.08 and 1.02 s on two, on a 2-core machine; (256, 256) gained 8 % from the second thread, (512, 512) 1.3x and
 * (1024, 1024) 1.4x. What several threads do cost a small model: any other busy thread on the machine (the control
 * plane and its database, the run's own epoch reports) preempts one of them and holds up every step. So a run whose
 * batch forward pass is under {@link #SMALL_BATCH_MULTIPLY_ADDS} multiply-adds trains on one thread; the README's
 * training-overhead benchmark shows what that changed. Whether more than two threads would help such a model on a
 * quiet machine of many cores is open: the 16-core runs there were on two different machines.
 *
 * <p>Only the training thread changes ({@link TorchThreads}): serving and other runs in the same process keep
 * theirs. A thread that has one thread already is left alone.
 */
final class TrainingThreads {

    /** Multiply-adds of one batch's forward pass below which a run trains on one thread. */
    static final long SMALL_BATCH_MULTIPLY_ADDS = 2_000_000;

    private final boolean narrowed;
    private final int before;

    private TrainingThreads(boolean narrowed, int before) {
        this.narrowed = narrowed;
        this.before = before;
    }

    /** Changes nothing. */
    static TrainingThreads unchanged() {
        return new TrainingThreads(false, 0);
    }

    /**
     * Narrows the calling thread to one intra-op thread when {@code spec} is small at {@code batchSize}, training
     * runs on the CPU with PyTorch and the thread has more than one; otherwise changes nothing.
     */
    static TrainingThreads narrow(ModelSpec spec, int batchSize, Device device) {
        if (!Device.Type.CPU.equals(device.getDeviceType())
                || !TorchThreads.applies()
                || batchMultiplyAdds(spec, batchSize) >= SMALL_BATCH_MULTIPLY_ADDS) {
            return unchanged();
        }
        int before = TorchThreads.ofThisThread();
        if (before <= 1) {
            return unchanged();
        }
        try {
            TorchThreads.setForThisThread(1);
        } catch (RuntimeException e) {
            JniUtils.setNumThreads(before);
            throw e;
        }
        return new TrainingThreads(true, before);
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
        if (!narrowed) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "trained on one CPU thread: a batch's forward pass is %.2f million multiply-adds, under the %d million"
                        + " below which a second thread was measured to gain nothing",
                batchMultiplyAdds(spec, batchSize) / 1e6,
                SMALL_BATCH_MULTIPLY_ADDS / 1_000_000));
    }

    /** Gives the calling thread back the count it had before {@link #narrow}, if that changed it. */
    void restore() {
        if (narrowed) {
            TorchThreads.setForThisThread(before);
        }
    }
}
