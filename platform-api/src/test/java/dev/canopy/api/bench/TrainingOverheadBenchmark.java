package dev.canopy.api.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.PlatformProcess;
import dev.canopy.api.worker.RunnerProcess;
import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.EnergyOptions;
import dev.canopy.runner.energy.RunEnergy;
import dev.canopy.runner.energy.Slot;
import dev.canopy.runner.recipe.Checkpoint;
import dev.canopy.runner.recipe.DatasetProfile;
import dev.canopy.runner.recipe.Recipe;
import dev.canopy.runner.recipe.TabularClassificationRecipe;
import dev.canopy.runner.recipe.TrainingContext;
import dev.canopy.runner.recipe.Validation;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The cost of training through the platform: the same recipe, data and epochs (a) as a bare DJL loop in this
 * process (the recipe's own training with nothing reported); (b) the bare loop again while an energy meter in this
 * process charges it the run, polling every 100 ms (what reading energy costs); (c) submitted to the packaged
 * platform and trained by its embedded runner, inside the control plane's process (dataset download, per-epoch
 * metrics, checkpoints and energy over HTTP, model upload, registration); (d) the same with the platform's
 * runners off and one standalone runner process ({@code java -jar canopy-runner.jar}), as in production. The
 * benchmark's model is small, so (a) to (d) train on one PyTorch thread as the platform's runs do; (a0), in the first
 * phase's rounds, is the bare loop on PyTorch's default threads, to show that this does not slow the baseline. Platform
 * throughput is timed from the run's start to its end as the server records them. Run with
 * {@code mvn -B -DskipTests -Pbenchmark verify}, or {@code mvn -B -Pbenchmark -pl platform-api
 * exec:java@training-overhead-benchmark -Dexec.args=ROWS} after {@code mvn -B -DskipTests install}: the platform's
 * cost is per epoch, so its share shrinks as epochs grow.
 */
public final class TrainingOverheadBenchmark {

    /** Rows of the generated dataset: the first argument, 60,000 by default (epochs of about 0.3 s here). */
    static int rows = 60_000;

    static final int FEATURES = 16;
    static final int ROUNDS = 7;
    static final Map<String, Object> PARAMS = Map.of(
            "label",
            "label",
            "epochs",
            10,
            "batchSize",
            128,
            "hiddenLayers",
            List.of(64, 32),
            "earlyStoppingPatience",
            100,
            "seed",
            7);

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        if (args.length > 0) {
            rows = Integer.parseInt(args[0]);
        }
        Path csv = generate(Files.createTempFile("canopy-bench-train", ".csv"));
        // Tens of megabytes: gone when the benchmark ends (runs before this left theirs in the temp directory).
        csv.toFile().deleteOnExit();
        Recipe recipe = new TabularClassificationRecipe();
        Validation validation = recipe.validate(PARAMS, profile());
        long trainRows = Math.round(rows * (1 - 0.15 - 0.15));
        long samples = trainRows * (Integer) PARAMS.get("epochs");

        System.out.printf(
                "%nTraining throughput, tabular-classification, %,d rows x %d features, %d epochs, %,d samples%n",
                rows, FEATURES + 1, PARAMS.get("epochs"), samples);
        try (EnergyMeter meter = EnergyMeter.start(EnergyOptions.defaults())) {
            Slot slot = meter.slot("benchmark", List.of());
            double[][] embedded = embedded(csv, recipe, validation, slot, samples);
            double[][] standalone = standalone(csv, recipe, validation, samples);
            System.out.printf("%n| how (best of %d rounds) | seconds | samples/s | / bare of its phase |%n", ROUNDS);
            System.out.println("|---|---:|---:|---:|");
            row("(a) bare DJL loop in one process", samples, max(embedded[0]), max(embedded[0]));
            row(
                    "(b) bare DJL loop with the energy meter polling every 100 ms",
                    samples,
                    max(embedded[1]),
                    max(embedded[0]));
            row("(c) through the platform, embedded runner", samples, max(embedded[2]), max(embedded[0]));
            row(
                    "(a0) bare DJL loop, PyTorch's default threads for this small model too",
                    samples,
                    max(embedded[3]),
                    max(embedded[0]));
            row("(a') bare DJL loop in one process, second phase", samples, max(standalone[0]), max(standalone[0]));
            row(
                    "(a0') bare DJL loop, PyTorch's default threads, second phase",
                    samples,
                    max(standalone[2]),
                    max(standalone[0]));
            row("(d) through the platform, standalone runner process", samples, max(standalone[1]), max(standalone[0]));
            System.out.printf(
                    "%nMedian of the rounds' ratios: (b)/(a) %.1f %%, (c)/(a) %.1f %%, (c)/(a0) %.1f %%, (d)/(a') %.1f"
                            + " %%, (d)/(a0') %.1f %%%n",
                    100 * medianRatio(embedded[1], embedded[0]),
                    100 * medianRatio(embedded[2], embedded[0]),
                    100 * medianRatio(embedded[2], embedded[3]),
                    100 * medianRatio(standalone[1], standalone[0]),
                    100 * medianRatio(standalone[1], standalone[2]));
            // The target's baseline: the faster bare loop of each round, on one thread or on PyTorch's default ones.
            System.out.printf(
                    "Against the faster bare loop of each round ((a) or (a0); (a') or (a0')), median: (c) %.1f %%, (d)"
                            + " %.1f %% (target >= 95 %%)%n",
                    100 * medianRatio(embedded[2], faster(embedded[0], embedded[3])),
                    100 * medianRatio(standalone[1], faster(standalone[0], standalone[2])));
        }
    }

    /**
     * Phase one: the platform with its embedded runner; rounds of (a) bare, (b) bare + meter, (c) platform and (a0)
     * bare on PyTorch's default threads.
     */
    private static double[][] embedded(Path csv, Recipe recipe, Validation validation, Slot slot, long samples)
            throws Exception {
        double[][] perSecond = new double[4][ROUNDS];
        try (PlatformProcess platform = PlatformProcess.start("-Dquarkus.profile=local")) {
            Platform api = new Platform(platform.baseUrl(), platform.adminToken());
            api.upload(csv);
            // Both JVMs JIT-compile the data pipeline during the first runs: one warm-up round each, not counted.
            api.train();
            bare(recipe, csv, validation, null);
            System.out.println("\n| round | (a) bare, s | (b) bare + energy meter, s | (c) platform, embedded runner, s"
                    + " | (a0) bare, default threads, s | (b) / (a) | (c) / (a) | (c) / (a0) |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
            // Interleaved, so that a noisy neighbour on a shared machine hurts all sides alike.
            for (int round = 0; round < ROUNDS; round++) {
                perSecond[2][round] = samples / api.train();
                perSecond[0][round] = samples / bare(recipe, csv, validation, null);
                perSecond[1][round] = samples / bare(recipe, csv, validation, slot);
                perSecond[3][round] = samples / bare(recipe, new Bare(csv, validation.resolvedParams(), false), null);
                System.out.printf(
                        "| %d | %.2f | %.2f | %.2f | %.2f | %.1f %% | %.1f %% | %.1f %% |%n",
                        round + 1,
                        samples / perSecond[0][round],
                        samples / perSecond[1][round],
                        samples / perSecond[2][round],
                        samples / perSecond[3][round],
                        100 * perSecond[1][round] / perSecond[0][round],
                        100 * perSecond[2][round] / perSecond[0][round],
                        100 * perSecond[2][round] / perSecond[3][round]);
            }
        }
        return perSecond;
    }

    /**
     * Phase two: the platform without runners, and one standalone runner process; rounds of (a') bare, (d) and (a0')
     * bare on PyTorch's default threads (the faster baseline where PyTorch's threads pay).
     */
    private static double[][] standalone(Path csv, Recipe recipe, Validation validation, long samples)
            throws Exception {
        double[][] perSecond = new double[3][ROUNDS];
        try (PlatformProcess platform =
                PlatformProcess.start("-Dquarkus.profile=local", "-Dcanopy.runner.embedded.count=0")) {
            Platform api = new Platform(platform.baseUrl(), platform.adminToken());
            api.upload(csv);
            String runnerToken = (String) DispatchBenchmark.post(
                            platform.baseUrl(),
                            platform.adminToken(),
                            "/api/v1/workers/tokens",
                            Map.of("name", "bench"))
                    .get("token");
            try (RunnerProcess runner = RunnerProcess.start(URI.create(platform.baseUrl()), runnerToken, "bench")) {
                api.train();
                bare(recipe, csv, validation, null);
                System.out.println("\n| round | (a') bare, s | (a0') bare, default threads, s | (d) platform,"
                        + " standalone runner, s | (d) / (a') | (d) / (a0') |");
                System.out.println("|---:|---:|---:|---:|---:|---:|");
                for (int round = 0; round < ROUNDS; round++) {
                    perSecond[1][round] = samples / api.train();
                    perSecond[0][round] = samples / bare(recipe, csv, validation, null);
                    perSecond[2][round] =
                            samples / bare(recipe, new Bare(csv, validation.resolvedParams(), false), null);
                    System.out.printf(
                            "| %d | %.2f | %.2f | %.2f | %.1f %% | %.1f %% |%n",
                            round + 1,
                            samples / perSecond[0][round],
                            samples / perSecond[2][round],
                            samples / perSecond[1][round],
                            100 * perSecond[1][round] / perSecond[0][round],
                            100 * perSecond[1][round] / perSecond[2][round]);
                }
            }
        }
        return perSecond;
    }

    private static void row(String how, long samples, double perSecond, double bare) {
        System.out.printf(
                "| %s | %.2f | %,.0f | %.1f %% |%n", how, samples / perSecond, perSecond, 100 * perSecond / bare);
    }

    /** Round by round, the higher throughput of two bare loops. */
    private static double[] faster(double[] a, double[] b) {
        double[] faster = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            faster[i] = Math.max(a[i], b[i]);
        }
        return faster;
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static double medianRatio(double[] a, double[] b) {
        double[] ratios = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratios[i] = a[i] / b[i];
        }
        Arrays.sort(ratios);
        return ratios[ratios.length / 2];
    }

    /** Seconds the bare loop takes; with a {@code slot}, while the energy meter charges it the run. */
    private static double bare(Recipe recipe, Path csv, Validation validation, Slot slot) throws Exception {
        return bare(recipe, new Bare(csv, validation.resolvedParams(), true), slot);
    }

    private static double bare(Recipe recipe, Bare context, Slot slot) throws Exception {
        long t0 = System.nanoTime();
        RunEnergy energy = slot == null ? null : slot.begin("bare", 0);
        recipe.train(context);
        if (energy != null) {
            energy.end();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The recipe's context with nothing reported: what training costs without the platform. With {@code
     * oneThreadForSmallModels} false, PyTorch's default threads train every model, a small one too.
     */
    record Bare(Path dataset, Map<String, Object> params, boolean oneThreadForSmallModels) implements TrainingContext {
        @Override
        public DatasetProfile profile() {
            return TrainingOverheadBenchmark.profile();
        }

        @Override
        public int gpus() {
            return 0;
        }

        @Override
        public Optional<Checkpoint> checkpoint() {
            return Optional.empty();
        }

        @Override
        public void epochFinished(int epoch, int epochs, Map<String, Double> metrics, byte[] checkpoint) {}

        @Override
        public void progress(int epoch, int epochs, double fractionOfRun) {}
    }

    static DatasetProfile profile() {
        List<DatasetProfile.Column> columns = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            columns.add(new DatasetProfile.Column("x" + f, "NUMERIC", 0, rows, false));
        }
        columns.add(new DatasetProfile.Column("group", "CATEGORICAL", 0, 5, false));
        columns.add(new DatasetProfile.Column("label", "CATEGORICAL", 0, 3, false));
        return new DatasetProfile(rows, columns);
    }

    /** Three classes from a noisy linear rule over 16 numeric features and a categorical one. */
    static Path generate(Path file) throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            StringBuilder header = new StringBuilder();
            for (int f = 0; f < FEATURES; f++) {
                header.append("x").append(f).append(',');
            }
            out.write(header.append("group,label\n").toString());
            for (int r = 0; r < rows; r++) {
                StringBuilder row = new StringBuilder();
                double score = 0;
                for (int f = 0; f < FEATURES; f++) {
                    double x = random.nextGaussian();
                    score += (f % 3 - 1) * x;
                    row.append(String.format("%.4f", x)).append(',');
                }
                int group = random.nextInt(5);
                score += group - 2 + random.nextGaussian() * 0.5;
                String label = score < -1 ? "low" : score > 1 ? "high" : "mid";
                out.write(row.append('g')
                        .append(group)
                        .append(',')
                        .append(label)
                        .append('\n')
                        .toString());
            }
        }
        return file;
    }

    /** The platform side: upload once, then train runs and read their server-side duration. */
    static final class Platform {

        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();
        private final String base;
        private final String token;

        Platform(String base, String token) {
            this.base = base;
            this.token = token;
        }

        void upload(Path csv) throws Exception {
            DispatchBenchmark.post(base, token, "/api/v1/teams/default/datasets", Map.of("name", "synthetic"));
            DispatchBenchmark.post(base, token, "/api/v1/teams/default/experiments", Map.of("name", "overhead"));
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/teams/default/datasets/synthetic/versions"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "text/csv")
                            .POST(HttpRequest.BodyPublishers.ofFile(csv))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException(response.body());
            }
        }

        /**
         * Seconds between the run's start and end, as the server recorded them. Polls only once a second: the times
         * come from the server anyway, and every poll takes CPU from the training on a small machine.
         */
        double train() throws Exception {
            String run = (String) DispatchBenchmark.post(
                            base,
                            token,
                            "/api/v1/teams/default/runs",
                            Map.of(
                                    "experiment",
                                    "overhead",
                                    "dataset",
                                    Map.of("name", "synthetic", "version", "latest"),
                                    "recipe",
                                    "tabular-classification",
                                    "params",
                                    PARAMS))
                    .get("id");
            Map<?, ?>[] state = new Map<?, ?>[1];
            await().atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        state[0] = json.readValue(
                                http.send(
                                                HttpRequest.newBuilder(
                                                                URI.create(base + "/api/v1/teams/default/runs/" + run))
                                                        .header("Authorization", "Bearer " + token)
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .body(),
                                Map.class);
                        return !"QUEUED".equals(state[0].get("status")) && !"RUNNING".equals(state[0].get("status"));
                    });
            if (!"FINISHED".equals(state[0].get("status"))) {
                throw new IllegalStateException("run " + run + " ended " + state[0]);
            }
            return Duration.between(Instant.parse((String) state[0].get("startedAt")), Instant.parse((String)
                                    state[0].get("endedAt")))
                            .toMillis()
                    / 1000.0;
        }
    }
}
