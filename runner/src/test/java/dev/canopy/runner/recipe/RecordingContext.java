package dev.canopy.runner.recipe;

import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A training context that records what the recipe reports and can stop the run like a cancel or drain would. */
final class RecordingContext implements TrainingContext {

    private final Path dataset;
    private final DatasetProfile profile;
    private final Map<String, Object> params;
    private final Optional<Checkpoint> checkpoint;
    private int stopAfterEpoch = Integer.MAX_VALUE;
    private int stopAtProgressCall = Integer.MAX_VALUE;
    private int gpus;
    private boolean oneThreadForSmallModels = true;

    /** Metrics per finished epoch, by epoch number. */
    final Map<Integer, Map<String, Double>> epochMetrics = new HashMap<>();

    final List<Checkpoint> checkpoints = new ArrayList<>();
    final List<Double> progress = new ArrayList<>();

    /** PyTorch's intra-op threads of the training thread at each epoch's end. */
    final List<Integer> threadsAtEpochEnd = new ArrayList<>();

    /** Those of a thread started at each epoch's end, at its first call into PyTorch. */
    final List<Integer> newThreadsAtEpochEnd = new ArrayList<>();

    RecordingContext(
            Path dataset, DatasetProfile profile, Map<String, Object> params, Optional<Checkpoint> checkpoint) {
        this.dataset = dataset;
        this.profile = profile;
        this.params = params;
        this.checkpoint = checkpoint;
    }

    static RecordingContext penguins(Map<String, Object> params) {
        return new RecordingContext(Penguins.csv(), Penguins.PROFILE, params, Optional.empty());
    }

    /** Throws {@link TrainingStopped} from {@code epochFinished(epoch)}, after keeping its checkpoint. */
    RecordingContext stoppingAfterEpoch(int epoch) {
        stopAfterEpoch = epoch;
        return this;
    }

    /** Throws {@link TrainingStopped} from the {@code call}-th progress call. */
    RecordingContext stoppingAtProgressCall(int call) {
        stopAtProgressCall = call;
        return this;
    }

    /** Trains on the first {@code count} CUDA devices instead of the CPU. */
    RecordingContext onGpus(int count) {
        gpus = count;
        return this;
    }

    /** Keeps the training thread's count of PyTorch threads for a small model too. */
    RecordingContext keepingThreads() {
        oneThreadForSmallModels = false;
        return this;
    }

    /** The same run resumed from {@code checkpoint}, on the CPU. */
    RecordingContext resumedFrom(Checkpoint resumeFrom) {
        return new RecordingContext(dataset, profile, params, Optional.of(resumeFrom));
    }

    /**
     * Trains {@code recipe} on this context on a thread of its own, as a worker resumes a run: the engine keeps some
     * state (autograd mode) per thread.
     */
    TrainingResult trainedOnItsOwnThread(Recipe recipe) throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            return worker.submit(() -> recipe.train(this)).get();
        } finally {
            worker.shutdown();
        }
    }

    Checkpoint lastCheckpoint() {
        return checkpoints.get(checkpoints.size() - 1);
    }

    @Override
    public Path dataset() {
        return dataset;
    }

    @Override
    public DatasetProfile profile() {
        return profile;
    }

    @Override
    public Map<String, Object> params() {
        return params;
    }

    @Override
    public int gpus() {
        return gpus;
    }

    @Override
    public boolean oneThreadForSmallModels() {
        return oneThreadForSmallModels;
    }

    @Override
    public Optional<Checkpoint> checkpoint() {
        return checkpoint;
    }

    @Override
    public void epochFinished(int epoch, int epochs, Map<String, Double> metrics, byte[] bytes) {
        epochMetrics.put(epoch, Map.copyOf(metrics));
        checkpoints.add(new Checkpoint(epoch, bytes));
        threadsAtEpochEnd.add(JniUtils.getNumThreads());
        newThreadsAtEpochEnd.add(CompletableFuture.supplyAsync(JniUtils::getNumThreads, r -> new Thread(r).start())
                .join());
        if (epoch >= stopAfterEpoch) {
            throw new TrainingStopped("drain after epoch " + epoch);
        }
    }

    @Override
    public void progress(int epoch, int epochs, double fractionOfRun) {
        progress.add(fractionOfRun);
        if (progress.size() >= stopAtProgressCall) {
            throw new TrainingStopped("cancelled");
        }
    }
}
