package dev.canopy.runner.recipe;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.EnergyOptions;
import dev.canopy.runner.energy.EnergyReading;
import dev.canopy.runner.energy.RunEnergy;
import dev.canopy.runner.energy.Slot;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real-GPU check of training (issue 3), run by {@code runner/src/test/device/gpu-training-check.sh} on a machine
 * with an NVIDIA GPU: the tabular recipes train on CUDA device 0 through the same {@link TrainingContext} a worker
 * gives them, and every result is compared with the same training on the CPU. Prints {@code CHECK name PASS|FAIL
 * detail} per check, {@code INFO} lines for what is measured but has no pass mark, and exits 1 when a check fails.
 *
 * <p>Arguments: rows of the synthetic throughput dataset (400,000 by default), and {@code --cpu-only} to rehearse
 * the program on a machine without a GPU (every GPU part is then skipped).
 */
public final class GpuTrainingCheck {

    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    private static final Map<String, Object> SHORT = Map.of("label", "species", "epochs", 6, "batchSize", 16);
    private static final int WIDE_FEATURES = 64;

    private final Recipe classification = new TabularClassificationRecipe();
    private final boolean gpu;
    private int failures;

    private GpuTrainingCheck(boolean gpu) {
        this.gpu = gpu;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        int rows = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 400_000;
        boolean cpuOnly = List.of(args).contains("--cpu-only");
        Engine engine = Engine.getInstance();
        OUT.printf(
                "INFO engine %s %s (DJL %s), natives from %s, CUDA capability %s, GPUs seen by the engine %d%n",
                engine.getEngineName(),
                engine.getVersion(),
                Engine.getDjlVersion(),
                LibUtils.getLibtorchPath(),
                engine.hasCapability("CUDA"),
                engine.getGpuCount());
        GpuTrainingCheck check = new GpuTrainingCheck(!cpuOnly);
        if (!cpuOnly) {
            if (engine.getGpuCount() == 0) {
                check.result("engine-sees-gpu", false, "Engine.getGpuCount() is 0");
                System.exit(1);
            }
            OUT.printf(
                    "INFO CUDA runtime %s, device 0 compute capability %s, %s%n",
                    CudaUtils.getCudaVersionString(), CudaUtils.getComputeCapability(0), memory());
        }
        check.penguins();
        check.reproducibility();
        check.resume();
        check.cancel();
        check.throughput(rows);
        OUT.println(check.failures == 0 ? "ALL CHECKS PASSED" : check.failures + " CHECK(S) FAILED");
        System.exit(check.failures == 0 ? 0 : 1);
    }

    /** The accuracy bar (species, default 30 epochs) on the GPU and on the CPU, with the GPU really used. */
    private void penguins() throws Exception {
        Map<String, Object> params = Map.of("label", "species");
        Trained cpu = train(RecordingContext.penguins(params), 0);
        result("penguins-cpu", cpu.result.testMetrics().get("test_accuracy") >= 0.95, cpu.describe());
        if (!gpu) {
            return;
        }
        Trained cuda = train(RecordingContext.penguins(params), 1);
        result("penguins-gpu", cuda.result.testMetrics().get("test_accuracy") >= 0.95, cuda.describe());
        // PyTorch's caching allocator keeps what training allocated, so device memory in use only grows if it ran.
        result(
                "penguins-gpu-used-the-gpu",
                cuda.peakGpuBytes > cuda.gpuBytesBefore,
                String.format(
                        Locale.ROOT,
                        "device memory in use %d MiB before, %d MiB at peak",
                        cuda.gpuBytesBefore >> 20,
                        cuda.peakGpuBytes >> 20));
    }

    /** Two seeded runs on one device: identical on the CPU (the promise); on CUDA reported as seen. */
    private void reproducibility() throws Exception {
        RecordingContext first = RecordingContext.penguins(SHORT);
        RecordingContext second = RecordingContext.penguins(SHORT);
        classification.train(first);
        classification.train(second);
        result("reproducible-cpu", first.epochMetrics.equals(second.epochMetrics), "6 epochs, seed 42, metrics equal");
        if (!gpu) {
            return;
        }
        RecordingContext one = RecordingContext.penguins(SHORT).onGpus(1);
        RecordingContext two = RecordingContext.penguins(SHORT).onGpus(1);
        classification.train(one);
        classification.train(two);
        OUT.printf(
                "INFO reproducible-gpu %s; largest difference in any epoch metric %.3g%n",
                one.epochMetrics.equals(two.epochMetrics) ? "identical" : "differs", largestDifference(one, two));
    }

    /**
     * A run stopped after epoch 3 and resumed from its checkpoint, on the GPU and across devices (a run on a GPU
     * runner may be resumed by another kind of runner): epochs 4 to 6 follow, and end where the uninterrupted run does.
     */
    private void resume() throws Exception {
        if (!gpu) {
            return;
        }
        RecordingContext uninterrupted = RecordingContext.penguins(SHORT).onGpus(1);
        classification.train(uninterrupted);
        for (int[] devices : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
            RecordingContext interrupted =
                    RecordingContext.penguins(SHORT).onGpus(devices[0]).stoppingAfterEpoch(3);
            try {
                classification.train(interrupted);
                result("resume", false, "the run was not stopped after epoch 3");
                continue;
            } catch (TrainingStopped expected) {
                // The drain the context asked for.
            }
            RecordingContext resumed =
                    interrupted.resumedFrom(interrupted.lastCheckpoint()).onGpus(devices[1]);
            TrainingResult result = classification.train(resumed);
            String name = "resume-" + device(devices[0]) + "-to-" + device(devices[1]);
            double valLoss = resumed.epochMetrics.get(6).get("val_loss");
            double expected = uninterrupted.epochMetrics.get(6).get("val_loss");
            result(
                    name,
                    resumed.epochMetrics.keySet().equals(Set.of(4, 5, 6)) && Math.abs(valLoss - expected) < 0.05,
                    String.format(
                            Locale.ROOT,
                            "epochs %s, epoch 6 val_loss %.5f (uninterrupted on the GPU %.5f), test accuracy %.4f",
                            resumed.epochMetrics.keySet(),
                            valLoss,
                            expected,
                            result.testMetrics().get("test_accuracy")));
        }
    }

    /** A cancel at the first progress call leaves the GPU usable and frees what the run held, run after run. */
    private void cancel() throws Exception {
        if (!gpu) {
            return;
        }
        List<Long> inUse = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            RecordingContext cancelled = RecordingContext.penguins(
                            Map.of("label", "species", "epochs", 50, "batchSize", 8))
                    .onGpus(1)
                    .stoppingAtProgressCall(2);
            try {
                classification.train(cancelled);
                result("cancel-gpu", false, "the run was not stopped");
                return;
            } catch (TrainingStopped expected) {
                // The cancel the context asked for.
            }
            classification.train(RecordingContext.penguins(Map.of("label", "species", "epochs", 1))
                    .onGpus(1));
            inUse.add(gpuBytesInUse());
        }
        result(
                "cancel-gpu",
                inUse.get(2) <= inUse.get(0),
                "device memory in use after each cancel and next run (MiB): "
                        + inUse.stream().map(b -> b >> 20).toList());
    }

    /** Samples per second of the same wide training on the CPU and on the GPU. */
    private void throughput(int rows) throws Exception {
        Path csv = Files.createTempFile("canopy-gpu-check", ".csv");
        try {
            writeWide(csv, rows);
            DatasetProfile profile = wideProfile(rows);
            Map<String, Object> params = Map.of(
                    "label",
                    "label",
                    "epochs",
                    3,
                    "batchSize",
                    1024,
                    "hiddenLayers",
                    List.of(512, 512),
                    "earlyStoppingPatience",
                    100,
                    "seed",
                    3);
            Map<String, Object> resolved =
                    classification.validate(params, profile).resolvedParams();
            long samples = Math.round(rows * 0.7) * 3;
            OUT.printf(
                    "INFO throughput: %,d rows x %d numeric features, 4 classes, MLP (512, 512), batch 1024, 3 epochs,"
                            + " %,d training samples (each epoch also validates)%n",
                    rows, WIDE_FEATURES, samples);
            // The runner's own energy meter charges each run, as a worker's slot would (GPU 0 for the GPU run).
            try (EnergyMeter meter = EnergyMeter.start(EnergyOptions.defaults())) {
                meter.describe().forEach(line -> OUT.println("INFO meter " + line));
                Slot slot = meter.slot("check", gpu ? List.of(0) : List.of());
                for (int gpus : gpu ? new int[] {0, 1} : new int[] {0}) {
                    RecordingContext context =
                            new RecordingContext(csv, profile, resolved, Optional.empty()).onGpus(gpus);
                    RunEnergy energy = slot.begin("throughput-" + device(gpus), gpus);
                    Trained trained = train(context, gpus);
                    EnergyReading reading = energy.end();
                    OUT.printf(
                            Locale.ROOT,
                            "INFO throughput-%s %.1f s, %,.0f samples/s, test accuracy %.4f, energy %s%n",
                            device(gpus),
                            trained.seconds,
                            samples / trained.seconds,
                            trained.result.testMetrics().get("test_accuracy"),
                            joules(reading));
                }
            }
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    private record Trained(TrainingResult result, double seconds, long gpuBytesBefore, long peakGpuBytes) {
        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%d epochs in %.1f s, test accuracy %.4f, macro-F1 %.4f",
                    result.epochs(),
                    seconds,
                    result.testMetrics().get("test_accuracy"),
                    result.testMetrics().get("test_f1_macro"));
        }
    }

    /** Trains, timing it and, on a GPU, sampling device memory in use every 20 ms. */
    private Trained train(RecordingContext context, int gpus) throws Exception {
        long before = gpus > 0 ? gpuBytesInUse() : 0;
        AtomicLong peak = new AtomicLong(before);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        if (gpus > 0) {
            sampler.scheduleAtFixedRate(
                    () -> peak.accumulateAndGet(gpuBytesInUse(), Math::max), 0, 20, TimeUnit.MILLISECONDS);
        }
        long t0 = System.nanoTime();
        try {
            TrainingResult result = classification.train(context);
            return new Trained(result, (System.nanoTime() - t0) / 1e9, before, peak.get());
        } finally {
            sampler.shutdownNow();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static long gpuBytesInUse() {
        var usage = CudaUtils.getGpuMemory(Device.gpu(0));
        return usage.getCommitted();
    }

    private static String memory() {
        var usage = CudaUtils.getGpuMemory(Device.gpu(0));
        return String.format(Locale.ROOT, "%d MiB of %d MiB in use", usage.getCommitted() >> 20, usage.getMax() >> 20);
    }

    private static String joules(EnergyReading reading) {
        return reading.components().stream()
                .map(c -> String.format(
                        Locale.ROOT,
                        "%s%s %s J (%s)",
                        c.component(),
                        c.device() == null ? "" : " " + c.device(),
                        c.joules() == null ? "-" : String.format(Locale.ROOT, "%.0f", c.joules()),
                        c.method()))
                .toList()
                .toString();
    }

    private static String device(int gpus) {
        return gpus == 0 ? "cpu" : "gpu";
    }

    private static double largestDifference(RecordingContext one, RecordingContext two) {
        double largest = 0;
        for (var epoch : one.epochMetrics.entrySet()) {
            for (var metric : epoch.getValue().entrySet()) {
                double other = two.epochMetrics.get(epoch.getKey()).get(metric.getKey());
                largest = Math.max(largest, Math.abs(metric.getValue() - other));
            }
        }
        return largest;
    }

    private void result(String name, boolean passed, String detail) {
        if (!passed) {
            failures++;
        }
        OUT.println("CHECK " + name + " " + (passed ? "PASS" : "FAIL") + " " + detail);
    }

    /** Four classes: the largest of four fixed random projections of 64 Gaussian features, with noise. */
    private static void writeWide(Path file, int rows) throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        double[][] projections = new double[4][WIDE_FEATURES];
        for (double[] projection : projections) {
            for (int f = 0; f < WIDE_FEATURES; f++) {
                projection[f] = random.nextGaussian();
            }
        }
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            StringBuilder line = new StringBuilder();
            for (int f = 0; f < WIDE_FEATURES; f++) {
                line.append('f').append(f).append(',');
            }
            out.write(line.append("label\n").toString());
            double[] x = new double[WIDE_FEATURES];
            for (int r = 0; r < rows; r++) {
                line.setLength(0);
                for (int f = 0; f < WIDE_FEATURES; f++) {
                    x[f] = Math.round(random.nextGaussian() * 1000) / 1000.0;
                    line.append(x[f]).append(',');
                }
                int best = 0;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < 4; c++) {
                    double score = random.nextGaussian() * 2;
                    for (int f = 0; f < WIDE_FEATURES; f++) {
                        score += projections[c][f] * x[f];
                    }
                    if (score > bestScore) {
                        bestScore = score;
                        best = c;
                    }
                }
                out.write(line.append("class").append(best).append('\n').toString());
            }
        }
    }

    private static DatasetProfile wideProfile(int rows) {
        List<DatasetProfile.Column> columns = new ArrayList<>();
        for (int f = 0; f < WIDE_FEATURES; f++) {
            columns.add(new DatasetProfile.Column("f" + f, "NUMERIC", 0, Math.min(rows, 8000), false));
        }
        columns.add(new DatasetProfile.Column("label", "CATEGORICAL", 0, 4, false));
        return new DatasetProfile(rows, columns);
    }
}
