package dev.canopy.api.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.PlatformProcess;
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
 * process (the recipe's own training with nothing reported) and (b) submitted to the packaged platform and trained
 * by its runner (dataset download, per-epoch metrics and checkpoints over HTTP, energy metering, model upload,
 * registration); and (c) the bare loop again while an energy meter in this process charges it the run, polling every
 * 100 ms: what reading energy costs training.
 * Throughput is training samples per second; (b) is timed from the run's start to its end as the server records
 * them. Run with {@code mvn -B -DskipTests -Pbenchmark verify}.
 */
public final class TrainingOverheadBenchmark {

    static final int ROWS = 60_000;
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
        Path csv = generate(Files.createTempFile("canopy-bench-train", ".csv"));
        Recipe recipe = new TabularClassificationRecipe();
        Validation validation = recipe.validate(PARAMS, profile());
        long trainRows = Math.round(ROWS * (1 - 0.15 - 0.15));
        long samples = trainRows * (Integer) PARAMS.get("epochs");

        try (PlatformProcess platform = PlatformProcess.start("-Dquarkus.profile=local");
                EnergyMeter meter = EnergyMeter.start(EnergyOptions.defaults())) {
            Platform api = new Platform(platform.baseUrl(), platform.adminToken());
            api.upload(csv);
            Slot slot = meter.slot("benchmark", List.of());
            // Both JVMs JIT-compile the data pipeline during the first runs: one warm-up round each, not counted.
            api.train();
            bare(recipe, csv, validation, null);
            // Then interleaved rounds, so that a noisy neighbour on a shared machine hurts all sides alike.
            double[] viaPlatform = new double[ROUNDS];
            double[] direct = new double[ROUNDS];
            double[] metered = new double[ROUNDS];
            System.out.printf(
                    "%nTraining throughput, tabular-classification, %,d rows x %d features, %d epochs, %,d samples%n",
                    ROWS, FEATURES + 1, PARAMS.get("epochs"), samples);
            System.out.println("| round | bare DJL loop, s | bare + energy meter (100 ms), s | through the platform, s"
                    + " | metered / bare | platform / bare |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            for (int round = 0; round < ROUNDS; round++) {
                viaPlatform[round] = samples / api.train();
                direct[round] = samples / bare(recipe, csv, validation, null);
                metered[round] = samples / bare(recipe, csv, validation, slot);
                System.out.printf(
                        "| %d | %.2f | %.2f | %.2f | %.1f %% | %.1f %% |%n",
                        round + 1,
                        samples / direct[round],
                        samples / metered[round],
                        samples / viaPlatform[round],
                        100 * metered[round] / direct[round],
                        100 * viaPlatform[round] / direct[round]);
            }
            double bestDirect = max(direct);
            System.out.printf("%n| how (best of %d rounds) | seconds | samples/s | / bare |%n", ROUNDS);
            System.out.println("|---|---:|---:|---:|");
            row("bare DJL loop in one process", samples, bestDirect, bestDirect);
            row("bare DJL loop with the energy meter polling every 100 ms", samples, max(metered), bestDirect);
            row("through the platform (runner, HTTP, checkpoints, energy)", samples, max(viaPlatform), bestDirect);
            System.out.printf(
                    "%nMedian of the rounds' metered / bare: %.1f %%; platform / bare: %.1f %%%n",
                    100 * medianRatio(metered, direct), 100 * medianRatio(viaPlatform, direct));
        }
    }

    private static void row(String how, long samples, double perSecond, double bare) {
        System.out.printf(
                "| %s | %.2f | %,.0f | %.1f %% |%n", how, samples / perSecond, perSecond, 100 * perSecond / bare);
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
        long t0 = System.nanoTime();
        RunEnergy energy = slot == null ? null : slot.begin("bare", 0);
        recipe.train(new Bare(csv, validation.resolvedParams()));
        if (energy != null) {
            energy.end();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The recipe's context with nothing reported: what training costs without the platform. */
    record Bare(Path dataset, Map<String, Object> params) implements TrainingContext {
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
            columns.add(new DatasetProfile.Column("x" + f, "NUMERIC", 0, ROWS, false));
        }
        columns.add(new DatasetProfile.Column("group", "CATEGORICAL", 0, 5, false));
        columns.add(new DatasetProfile.Column("label", "CATEGORICAL", 0, 3, false));
        return new DatasetProfile(ROWS, columns);
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
            for (int r = 0; r < ROWS; r++) {
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
