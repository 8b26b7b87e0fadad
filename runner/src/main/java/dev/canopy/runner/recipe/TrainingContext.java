package dev.canopy.runner.recipe;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/** What the worker gives a recipe to train with, and how the recipe reports back. */
public interface TrainingContext {

    /** The CSV (UTF-8, header row, comma, RFC 4180 quotes) on local disk. */
    Path dataset();

    /** The profile of {@link #dataset()}. */
    DatasetProfile profile();

    /** The params as validated ({@link Validation#resolvedParams()}). */
    Map<String, Object> params();

    /** 0 = CPU; N = train on the N GPUs of {@link #gpuIds()}. */
    int gpus();

    /** The CUDA devices to train on: by default the first {@link #gpus()}. */
    default List<Integer> gpuIds() {
        return IntStream.range(0, gpus()).boxed().toList();
    }

    /**
     * Whether a small model trains on one thread on the CPU ({@link TrainingThreads}); true by default. False keeps
     * the training thread's count for every model, as a benchmark's baseline does.
     */
    default boolean oneThreadForSmallModels() {
        return true;
    }

    /** The latest committed checkpoint when resuming. */
    Optional<Checkpoint> checkpoint();

    /**
     * End of an epoch (numbered from 1): its metrics and a checkpoint that resumes right after it.
     *
     * @throws TrainingStopped to stop the run (cancel or drain)
     */
    void epochFinished(int epoch, int epochs, Map<String, Double> metrics, byte[] checkpoint);

    /**
     * Progress within an epoch, called every few batches.
     *
     * @param fractionOfRun how much of the whole run (all epochs) is done, 0..1
     * @throws TrainingStopped to stop the run (cancel or drain)
     */
    void progress(int epoch, int epochs, double fractionOfRun);
}
