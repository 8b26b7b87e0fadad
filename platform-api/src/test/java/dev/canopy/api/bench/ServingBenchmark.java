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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving benchmarks against the packaged platform (its own process, real HTTP), each with its baseline in the
 * same run: (1) the latency of one HTTP prediction against the bare in-process {@link TabularModel#predict} of the
 * same model and record, and against the platform's HTTP floor (an authenticated {@code GET /api/v1/me}); (2)
 * throughput and p99 at 64 concurrent clients, micro-batching off (one platform) and on (a second platform serving
 * the same artifacts, uploaded), for the penguin model with the default hidden layers (64, 32), a wide one (1024,
 * 1024) and a large one (2048, 2048, 17 MB of weights), whose forward passes cost more than the HTTP around them; (3) a soak at 64 clients with batching on,
 * sampling the platform's RSS and heap, counting errors. Prints markdown tables.
 *
 * <p>{@code mvn -B -Pbenchmark -pl platform-api exec:java@serving-benchmark -Dexec.args="LOAD_SECONDS SOAK_SECONDS"}
 * (default 15 60) after {@code mvn -B -DskipTests install}.
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
    private static final byte[] BODY = body();

    /** The models served, each on an endpoint of its name: hidden layers. */
    private static final Map<String, List<Integer>> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("species", List.of(64, 32));
        MODELS.put("wide", List.of(1024, 1024));
        MODELS.put("large", List.of(2048, 2048));
    }

    private ServingBenchmark() {}

    record Load(double perSecond, double p50, double p99, long errors, long requests) {}

    public static void main(String[] args) throws Exception {
        int loadSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int soakSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path penguins = Files.createTempFile("penguins", ".csv");
        penguins.toFile().deleteOnExit();
        try (var in = ServingBenchmark.class.getResourceAsStream("/datasets/penguins.csv")) {
            Files.write(penguins, in.readAllBytes());
        }
        Map<String, byte[]> artifacts;
        double[] bare;
        double[] floor;
        double[] httpOff;
        double[] httpOn;
        Map<String, Load> off = new LinkedHashMap<>();
        Map<String, Load> on = new LinkedHashMap<>();
        List<String> soak = new ArrayList<>();
        Load soaked;
        try (PlatformProcess platform =
                PlatformProcess.start("-Dquarkus.profile=local", "-Dcanopy.serving.batching=false")) {
            String base = platform.baseUrl();
            String token = platform.adminToken();
            artifacts = trainAndServe(base, token, penguins);
            bare = bare(artifacts.get("species"));
            floor = sequential(base, token, "/api/v1/me", null);
            httpOff = sequential(base, token, ENDPOINTS + "species/predict", BODY);
            for (String model : MODELS.keySet()) {
                off.put(model, load(base, token, model, loadSeconds, null));
            }
        }
        try (PlatformProcess platform =
                PlatformProcess.start("-Dquarkus.profile=local", "-Dcanopy.runner.embedded.count=0")) {
            String base = platform.baseUrl();
            String token = platform.adminToken();
            for (var artifact : artifacts.entrySet()) {
                send(
                        base,
                        token,
                        "/api/v1/teams/default/models/" + artifact.getKey() + "/versions",
                        "application/zip",
                        artifact.getValue());
                serve(base, token, artifact.getKey());
            }
            httpOn = sequential(base, token, ENDPOINTS + "species/predict", BODY);
            for (String model : MODELS.keySet()) {
                on.put(model, load(base, token, model, loadSeconds, null));
            }
            soaked = load(base, token, "species", soakSeconds, () -> soak.add(sample(platform, base, token)));
        }
        print(bare, floor, httpOff, httpOn, loadSeconds, off, on);
        printSoak(soakSeconds, soak, soaked);
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
                                            Map.of("label", "species", "epochs", 20, "hiddenLayers", model.getValue()),
                                    "registerAs", model.getKey()))
                    .get("id");
            await().atMost(Duration.ofMinutes(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> "FINISHED"
                            .equals(get(base, token, "/api/v1/teams/default/runs/" + run)
                                    .get("status")));
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

    private static void serve(String base, String token, String model) throws Exception {
        post(base, token, "/api/v1/teams/default/endpoints", Map.of("name", model, "model", model));
        post(base, token, ENDPOINTS + model + "/promotions", Map.of("version", "1"));
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
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
        HttpRequest request = body == null
                ? builder.GET().build()
                : builder.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        for (int i = 0; i < SEQUENTIAL; i++) {
            check(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        }
        double[] ms = new double[SEQUENTIAL];
        for (int i = 0; i < SEQUENTIAL; i++) {
            long start = System.nanoTime();
            check(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }

    /** {@value #CLIENTS} clients sending one-record predictions for {@code seconds}; {@code every10s} samples. */
    static Load load(String base, String token, String endpoint, int seconds, Runnable every10s) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + ENDPOINTS + endpoint + "/predict"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BODY))
                .build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<List<Double>>> results = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            results.add(clients.submit(() -> {
                List<Double> ms = new ArrayList<>();
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        if (HTTP.send(request, HttpResponse.BodyHandlers.ofString())
                                        .statusCode()
                                != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                    ms.add((System.nanoTime() - start) / 1e6);
                }
                return ms;
            }));
        }
        long begin = System.nanoTime();
        // A benchmark main, not a test: the load runs for a stretch of real time, sampled every 10 s.
        for (int s = 1; s <= seconds; s++) {
            Thread.sleep(1000);
            if (every10s != null && s % 10 == 0) {
                every10s.run();
            }
        }
        stop.set(true);
        double elapsed = (System.nanoTime() - begin) / 1e9;
        List<Double> all = new ArrayList<>();
        for (Future<List<Double>> r : results) {
            all.addAll(r.get());
        }
        clients.shutdown();
        double[] ms = all.stream().mapToDouble(Double::doubleValue).toArray();
        return new Load(ms.length / elapsed, quantile(ms, 0.5), quantile(ms, 0.99), errors.get(), ms.length);
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
            double heap = 0;
            Matcher m = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)")
                    .matcher(metrics);
            while (m.find()) {
                heap += Double.parseDouble(m.group(1));
            }
            return String.format(
                    Locale.ROOT,
                    "%s | %.0f",
                    rss.find() ? Long.parseLong(rss.group(1)) / 1024 : -1,
                    heap / 1024 / 1024);
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
            Map<String, Load> off,
            Map<String, Load> on) {
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
        System.out.printf(Locale.ROOT, "%n## %d clients, one-record requests, %d s each%n%n", CLIENTS, loadSeconds);
        System.out.println("| model (hidden layers) | batching | requests/s | p50 ms | p99 ms | errors |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (String model : MODELS.keySet()) {
            row(model + " " + MODELS.get(model), "off", off.get(model));
            row(model + " " + MODELS.get(model), "on", on.get(model));
        }
        System.out.println();
        for (String model : MODELS.keySet()) {
            System.out.printf(
                    Locale.ROOT,
                    "Throughput on / off, %s: %.2fx%n",
                    model,
                    on.get(model).perSecond() / off.get(model).perSecond());
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

    private static void printSoak(int soakSeconds, List<String> soak, Load soaked) {
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
    }

    private static void row(String how, double[] ms) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f |%n", how, quantile(ms, 0.5), quantile(ms, 0.99));
    }

    private static void row(String model, String batching, Load l) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %s | %.0f | %.2f | %.2f | %d |%n",
                model,
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

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("predict answered " + response.statusCode() + ": " + response.body());
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
