package dev.canopy.api.bench;

import static dev.canopy.api.TestApi.GENTOO;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.PlatformProcess;
import dev.canopy.runner.inference.TabularModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Serving benchmarks against the packaged platform (its own process, real HTTP), each with its baseline in the
 * same run: (1) the latency of one HTTP prediction against the bare in-process {@link TabularModel#predict} of the
 * same model and record, and against the platform's HTTP floor (an authenticated {@code GET /api/v1/me}); (2)
 * throughput and p99 at 64 concurrent clients, micro-batching off and on, for the penguin model with the default
 * hidden layers (64, 32), a wide one (1024, 1024), a large one (2048, 2048, 17 MB of weights) and an xlarge one
 * (4096, 4096, 67 MB), whose forward passes cost more than the HTTP around them; (3) a soak at 64 clients with batching on, sampling the platform's
 * RSS and heap, counting errors. Prints markdown tables.
 *
 * <p>Each model is served by two endpoints of one platform, one with batching off ({@code <model>-off}) and one
 * with the default (on), sharing the version's predictors. Batching is measured on one warm JVM: the platform first
 * serves all of them for {@code WARM_UP_SECONDS} (on 2 cores its throughput was still rising after 30 s of load
 * as the JIT compiled the request path, so a platform measured cold loses to one measured warm whatever it does),
 * then off and on alternate (off first in even rounds, on first in odd ones), {@code ROUNDS} times, and the ratio is
 * taken per round.
 *
 * <p>{@code mvn -B -Pbenchmark -pl platform-api exec:java@serving-benchmark -Dexec.args="LOAD_SECONDS SOAK_SECONDS
 * ROUNDS WARM_UP_SECONDS"} (default 10 60 3 60) after {@code mvn -B -DskipTests install}; {@code
 * -Dserving.platform-options="-Dcanopy.serving.threads-per-pass=0"} passes options to the platform's JVM.
 */
public final class ServingBenchmark {

    private static final int CLIENTS = 64;
    private static final int SEQUENTIAL = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();
    // Daemon threads: exec:java waits for every other thread to end, and this pool is never shut down.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(CLIENTS + 8, runnable -> {
                Thread thread = new Thread(runnable, "serving-benchmark-http");
                thread.setDaemon(true);
                return thread;
            }))
            .build();
    private static final String ENDPOINTS = "/api/v1/teams/default/endpoints/";
    private static final String OFF = "-off";
    private static final byte[] BODY = body();

    /** The models served, each on an endpoint of its name (batching on) and one with {@link #OFF}: hidden layers. */
    private static final Map<String, List<Integer>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("species", List.of(64, 32));
        MODELS.put("wide", List.of(1024, 1024));
        MODELS.put("large", List.of(2048, 2048));
        MODELS.put("xlarge", List.of(4096, 4096));
    }

    /**
     * Epochs of models that train for fewer than 20: the xlarge one checkpoints 200 MB an epoch, which took over
     * five minutes for 20 epochs on 2 cores. How well it predicts does not matter here.
     */
    private static final Map<String, Integer> EPOCHS = Map.of("xlarge", 3);

    private ServingBenchmark() {}

    record Load(double perSecond, double p50, double p99, long errors, long requests) {}

    public static void main(String[] args) throws Exception {
        int loadSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int soakSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int warmUpSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        Path penguins = Files.createTempFile("penguins", ".csv");
        penguins.toFile().deleteOnExit();
        try (var in = ServingBenchmark.class.getResourceAsStream("/datasets/penguins.csv")) {
            Files.write(penguins, in.readAllBytes());
        }
        Map<String, List<Load>> off = new LinkedHashMap<>();
        Map<String, List<Load>> on = new LinkedHashMap<>();
        List<String> soak = new ArrayList<>();
        List<String> options = new ArrayList<>(List.of("-Dquarkus.profile=local"));
        // More options for the platform, space-separated:
        // -Dserving.platform-options=-Dcanopy.serving.threads-per-pass=0
        String extra = System.getProperty("serving.platform-options", "").trim();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        System.out.println("Platform options: " + String.join(" ", options));
        try (PlatformProcess platform = PlatformProcess.start(options.toArray(String[]::new))) {
            String base = platform.baseUrl();
            String token = platform.adminToken();
            long started = System.nanoTime();
            Map<String, byte[]> artifacts = trainAndServe(base, token, penguins);
            progress("models trained and served in %.0f s", (System.nanoTime() - started) / 1e9);
            double[] bare = bare(artifacts.get("species"));
            warmUp(base, token, warmUpSeconds);
            double[] floor = sequential(base, token, "/api/v1/me", null);
            double[] httpOff = sequential(base, token, ENDPOINTS + "species" + OFF + "/predict", BODY);
            double[] httpOn = sequential(base, token, ENDPOINTS + "species/predict", BODY);
            for (int round = 0; round < rounds; round++) {
                for (String model : MODELS.keySet()) {
                    // Off first in even rounds, on first in odd ones: what warming is left favours neither.
                    List<Map<String, List<Load>>> sides = round % 2 == 0 ? List.of(off, on) : List.of(on, off);
                    for (Map<String, List<Load>> side : sides) {
                        String endpoint = side == off ? model + OFF : model;
                        Load load = load(base, token, endpoint, loadSeconds, null);
                        side.computeIfAbsent(model, m -> new ArrayList<>()).add(load);
                        progress(
                                "round %d, %s: %.0f requests/s, p99 %.2f ms",
                                round + 1, endpoint, load.perSecond(), load.p99());
                    }
                }
            }
            double heapBefore = heapAfterGc(platform, base, token);
            Load soaked = load(base, token, "species", soakSeconds, () -> soak.add(sample(platform, base, token)));
            double heapAfter = heapAfterGc(platform, base, token);
            print(bare, floor, httpOff, httpOn, loadSeconds, off, on);
            printSoak(soakSeconds, soak, soaked, heapBefore, heapAfter);
        }
    }

    /** A line as the benchmark goes, so that one stopped at a time limit leaves what it measured. */
    private static void progress(String format, Object... values) {
        System.out.println("progress: " + String.format(Locale.ROOT, format, values));
    }

    /**
     * Load on every endpoint in turn, 5 s each, for {@code seconds} but at least once each: the JIT compiles what the
     * rounds measure (a shorter warm-up left the last endpoints, the xlarge model's, cold for their first round).
     */
    private static void warmUp(String base, String token, int seconds) throws Exception {
        List<String> endpoints = MODELS.keySet().stream()
                .flatMap(model -> Stream.of(model + OFF, model))
                .toList();
        int total = Math.max(seconds, 5 * endpoints.size());
        for (int s = 0, i = 0; s < total; s += 5, i++) {
            load(base, token, endpoints.get(i % endpoints.size()), Math.min(5, total - s), null);
        }
    }

    /** Trains each model on the platform's embedded runner and serves it on an endpoint of its name. */
    static Map<String, byte[]> trainAndServe(String base, String token, Path penguins) throws Exception {
        post(base, token, "/api/v1/teams/default/datasets", Map.of("name", "penguins"));
        send(base, token, "/api/v1/teams/default/datasets/penguins/versions", "text/csv", Files.readAllBytes(penguins));
        post(base, token, "/api/v1/teams/default/experiments", Map.of("name", "serving"));
        Map<String, byte[]> artifacts = new LinkedHashMap<>();
        for (var model : MODELS.entrySet()) {
            String run = (String) post(
                            base,
                            token,
                            "/api/v1/teams/default/runs",
                            Map.of(
                                    "experiment", "serving",
                                    "dataset", Map.of("name", "penguins", "version", "1"),
                                    "recipe", "tabular-classification",
                                    "params",
                                            Map.of(
                                                    "label",
                                                    "species",
                                                    "epochs",
                                                    EPOCHS.getOrDefault(model.getKey(), 20),
                                                    "hiddenLayers",
                                                    model.getValue()),
                                    "registerAs", model.getKey()))
                    .get("id");
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> finished(get(base, token, "/api/v1/teams/default/runs/" + run)));
            HttpRequest download = HttpRequest.newBuilder(URI.create(
                            base + "/api/v1/teams/default/models/" + model.getKey() + "/versions/1/artifact"))
                    .header("Authorization", "Bearer " + token)
                    .build();
            artifacts.put(
                    model.getKey(),
                    HTTP.send(download, HttpResponse.BodyHandlers.ofByteArray()).body());
            serve(base, token, model.getKey());
        }
        return artifacts;
    }

    /** Whether the run finished; throws when it ended otherwise. */
    private static boolean finished(Map<?, ?> run) {
        Object status = run.get("status");
        if ("FAILED".equals(status) || "KILLED".equals(status)) {
            throw new IllegalStateException("the run of " + run.get("name") + " ended " + status + ": " + run);
        }
        return "FINISHED".equals(status);
    }

    /** Two endpoints on version 1 of {@code model}: one named after it, batching on, and one with it off. */
    private static void serve(String base, String token, String model) throws Exception {
        post(base, token, "/api/v1/teams/default/endpoints", Map.of("name", model, "model", model));
        post(base, token, ENDPOINTS + model + "/promotions", Map.of("version", "1"));
        post(
                base,
                token,
                "/api/v1/teams/default/endpoints",
                Map.of("name", model + OFF, "model", model, "batching", Map.of("enabled", false)));
        post(base, token, ENDPOINTS + model + OFF + "/promotions", Map.of("version", "1"));
    }

    /** Latencies in ms of the bare in-process predict of one record, after a warm-up. */
    static double[] bare(byte[] artifact) throws Exception {
        try (TabularModel model = TabularModel.load(artifact)) {
            List<Map<String, Object>> records = List.of(GENTOO);
            for (int i = 0; i < SEQUENTIAL; i++) {
                model.predict(records);
            }
            double[] ms = new double[SEQUENTIAL];
            for (int i = 0; i < SEQUENTIAL; i++) {
                long start = System.nanoTime();
                model.predict(records);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            return ms;
        }
    }

    /** Latencies in ms of requests sent one after the other (POST {@code body}, else GET), after a warm-up. */
    static double[] sequential(String base, String token, String path, byte[] body) throws Exception {
        try (KeepAliveConnection connection = new KeepAliveConnection(base, path, token, body)) {
            for (int i = 0; i < SEQUENTIAL; i++) {
                check(path, connection.send());
            }
            double[] ms = new double[SEQUENTIAL];
            for (int i = 0; i < SEQUENTIAL; i++) {
                long start = System.nanoTime();
                check(path, connection.send());
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            return ms;
        }
    }

    /**
     * {@value #CLIENTS} clients, each on a connection of its own, sending one-record predictions for {@code
     * seconds}; {@code every10s} samples. A connection that fails counts an error and is opened again.
     */
    static Load load(String base, String token, String endpoint, int seconds, Runnable every10s) throws Exception {
        String path = ENDPOINTS + endpoint + "/predict";
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<double[]>> results = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            results.add(clients.submit(() -> {
                double[] ms = new double[1024];
                int count = 0;
                KeepAliveConnection connection = null;
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try {
                            if (connection == null || !connection.isOpen()) {
                                connection = new KeepAliveConnection(base, path, token, BODY);
                            }
                            if (connection.send() != 200) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            // No answer: an error, not a request served, and a moment's pause before the next.
                            errors.incrementAndGet();
                            if (connection != null) {
                                connection.close();
                                connection = null;
                            }
                            await().pollDelay(Duration.ofMillis(10)).until(() -> true);
                            continue;
                        }
                        if (count == ms.length) {
                            ms = Arrays.copyOf(ms, count * 2);
                        }
                        ms[count++] = (System.nanoTime() - start) / 1e6;
                    }
                } finally {
                    if (connection != null) {
                        connection.close();
                    }
                }
                return Arrays.copyOf(ms, count);
            }));
        }
        long begin = System.nanoTime();
        // The load runs for a stretch of real time, sampled every 10 s: waited for second by second, each second
        // counted from the start (no drift).
        for (int s = 1; s <= seconds; s++) {
            long due = begin + s * 1_000_000_000L;
            await().pollInterval(Duration.ofMillis(20))
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> System.nanoTime() >= due);
            if (every10s != null && s % 10 == 0) {
                every10s.run();
            }
        }
        stop.set(true);
        double elapsed = (System.nanoTime() - begin) / 1e9;
        List<double[]> all = new ArrayList<>();
        for (Future<double[]> r : results) {
            // A client waits at most 30 s for an answer (the connection's timeout).
            all.add(r.get(60, TimeUnit.SECONDS));
        }
        clients.shutdown();
        double[] ms = all.stream().flatMapToDouble(Arrays::stream).toArray();
        return new Load(ms.length / elapsed, quantile(ms, 0.5), quantile(ms, 0.99), errors.get(), ms.length);
    }

    /**
     * The platform's heap in use right after a full collection (jcmd GC.run), in MiB: what its live objects take. Read
     * before and after the soak, their difference is what the load left behind; heap in use at any other moment
     * swings with garbage not collected yet (hundreds of MiB), and RSS stays flat while a heap that has grown fills.
     */
    private static double heapAfterGc(PlatformProcess platform, String base, String token) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(platform.pid()), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!gc.waitFor(2, TimeUnit.MINUTES) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.run failed on the platform (pid " + platform.pid() + ")");
        }
        return heapMiB(HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    /** Heap in use in MiB, summed over the heap's pools, from the Prometheus text. */
    private static double heapMiB(String metrics) {
        double heap = 0;
        Matcher m = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)")
                .matcher(metrics);
        while (m.find()) {
            heap += Double.parseDouble(m.group(1));
        }
        return heap / 1024 / 1024;
    }

    private static String sample(PlatformProcess platform, String base, String token) {
        try {
            String status = Files.readString(Path.of("/proc/" + platform.pid() + "/status"));
            Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
            String metrics = HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return String.format(
                    Locale.ROOT, "%s | %.0f", rss.find() ? Long.parseLong(rss.group(1)) / 1024 : -1, heapMiB(metrics));
        } catch (Exception e) {
            return "sample failed: " + e.getMessage();
        }
    }

    private static void print(
            double[] bare,
            double[] floor,
            double[] httpOff,
            double[] httpOn,
            int loadSeconds,
            Map<String, List<Load>> off,
            Map<String, List<Load>> on) {
        System.out.printf(
                Locale.ROOT, "%n## Serving overhead: one record, sequential (%d requests each)%n%n", SEQUENTIAL);
        System.out.println("| how | p50 ms | p99 ms |");
        System.out.println("|---|---:|---:|");
        row("bare in-process TabularModel.predict", bare);
        row("HTTP floor: authenticated GET /api/v1/me", floor);
        row("HTTP predict, batching off", httpOff);
        row("HTTP predict, batching on (the default)", httpOn);
        System.out.println();
        overhead("off", httpOff, bare, floor);
        overhead("on", httpOn, bare, floor);
        System.out.printf(
                Locale.ROOT,
                "%n## %d clients, one-record requests, %d s each, off and on alternating%n%n",
                CLIENTS,
                loadSeconds);
        System.out.println("| model (hidden layers) | round | batching | requests/s | p50 ms | p99 ms | errors |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|");
        for (String model : MODELS.keySet()) {
            for (int round = 0; round < off.get(model).size(); round++) {
                row(
                        model + " " + MODELS.get(model),
                        round + 1,
                        "off",
                        off.get(model).get(round));
                row(
                        model + " " + MODELS.get(model),
                        round + 1,
                        "on",
                        on.get(model).get(round));
            }
        }
        System.out.println();
        for (String model : MODELS.keySet()) {
            double[] ratios = new double[off.get(model).size()];
            for (int round = 0; round < ratios.length; round++) {
                ratios[round] = on.get(model).get(round).perSecond()
                        / off.get(model).get(round).perSecond();
            }
            System.out.printf(
                    Locale.ROOT,
                    "Throughput on / off, %s: median %.2fx (rounds: %s)%n",
                    model,
                    quantile(ratios, 0.5),
                    String.join(
                            ", ",
                            Arrays.stream(ratios)
                                    .mapToObj(r -> String.format(Locale.ROOT, "%.2fx", r))
                                    .toList()));
        }
    }

    private static void overhead(String batching, double[] http, double[] bare, double[] floor) {
        System.out.printf(
                Locale.ROOT,
                "Overhead (HTTP predict, batching %s, minus bare): p50 %.3f ms, p99 %.3f ms; above the HTTP floor:"
                        + " p50 %.3f ms%n",
                batching,
                quantile(http, 0.5) - quantile(bare, 0.5),
                quantile(http, 0.99) - quantile(bare, 0.99),
                quantile(http, 0.5) - quantile(floor, 0.5));
    }

    /** Growth of the heap after a full GC across the soak beyond which memory counts as growing. */
    private static final double HEAP_GROWTH_LIMIT_MIB = 32;

    private static void printSoak(
            int soakSeconds, List<String> soak, Load soaked, double heapBefore, double heapAfter) {
        System.out.printf(
                Locale.ROOT, "%n## Soak: %d clients, %d s, batching on, model species%n%n", CLIENTS, soakSeconds);
        System.out.println("| at | platform RSS MiB | heap used MiB |");
        System.out.println("|---:|---:|---:|");
        for (int i = 0; i < soak.size(); i++) {
            System.out.println("| " + (i + 1) * 10 + " s | " + soak.get(i) + " |");
        }
        System.out.printf(
                Locale.ROOT,
                "%nRequests: %d at %.0f/s, p99 %.2f ms; errors: %d%n",
                soaked.requests(),
                soaked.perSecond(),
                soaked.p99(),
                soaked.errors());
        double growth = heapAfter - heapBefore;
        System.out.printf(
                Locale.ROOT,
                "Heap in use after a full GC: %.1f MiB before the soak, %.1f MiB after: %+.1f MiB (no memory growth:"
                        + " %s, limit %.0f MiB); zero errors: %s%n",
                heapBefore,
                heapAfter,
                growth,
                growth <= HEAP_GROWTH_LIMIT_MIB ? "met" : "NOT met",
                HEAP_GROWTH_LIMIT_MIB,
                soaked.errors() == 0 ? "met" : "NOT met");
    }

    private static void row(String how, double[] ms) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f |%n", how, quantile(ms, 0.5), quantile(ms, 0.99));
    }

    private static void row(String model, int round, String batching, Load l) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %s | %.0f | %.2f | %.2f | %d |%n",
                model,
                round,
                batching,
                l.perSecond(),
                l.p50(),
                l.p99(),
                l.errors());
    }

    private static byte[] body() {
        try {
            return JSON.writeValueAsBytes(Map.of("records", List.of(GENTOO)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private static void check(String path, int status) {
        if (status != 200) {
            throw new IllegalStateException(path + " answered " + status);
        }
    }

    private static Map<?, ?> post(String base, String token, String path, Object body) throws Exception {
        return DispatchBenchmark.post(base, token, path, body);
    }

    private static Map<?, ?> get(String base, String token, String path) throws Exception {
        return JSON.readValue(
                HTTP.send(
                                HttpRequest.newBuilder(URI.create(base + path))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body(),
                Map.class);
    }

    private static void send(String base, String token, String path, String type, byte[] body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", type)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
