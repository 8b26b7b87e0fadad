package dev.canopy.api.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.api.PlatformProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The run queue against the packaged platform: how long a run waits from QUEUED to RUNNING when a runner is idle
 * (its claim is long-polling), and how many claims per second 8 runners make when the queue is full. Runners are
 * simulated over the real worker protocol; each ends its run at once (as cancelled) and claims again.
 * Run with {@code mvn -B -DskipTests -Pbenchmark verify}.
 */
public final class DispatchBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int backlog = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        try (PlatformProcess platform = PlatformProcess.start()) {
            String base = platform.baseUrl();
            String user = platform.adminToken();
            setUp(base, user);
            String runnerToken = (String) post(base, user, "/api/v1/workers/tokens", Map.of("name", "bench"))
                    .get("token");

            Runner idle = Runner.register(base, runnerToken, "idle");
            for (int i = 0; i < 20; i++) {
                dispatchMillis(base, user, idle);
            }
            double[] latency = new double[samples];
            double[] afterAnswer = new double[samples];
            for (int i = 0; i < samples; i++) {
                double[] measured = dispatchMillis(base, user, idle);
                latency[i] = measured[0];
                afterAnswer[i] = measured[1];
            }
            Arrays.sort(latency);
            Arrays.sort(afterAnswer);

            List<String> queued = submitMany(base, user, backlog);
            List<Runner> runners = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runners.add(Runner.register(base, runnerToken, "r" + i));
            }
            double claimsPerSecond = drain(runners, queued.size());

            System.out.printf("%nRun dispatch through the worker protocol (packaged platform, embedded PostgreSQL)%n");
            System.out.println("| measurement | value |");
            System.out.println("|---|---:|");
            System.out.printf(
                    "| QUEUED → RUNNING with an idle runner, p50 | %.1f ms |%n",
                    MetricsBenchmark.percentile(latency, 0.5));
            System.out.printf(
                    "| QUEUED → RUNNING with an idle runner, p99 | %.1f ms |%n",
                    MetricsBenchmark.percentile(latency, 0.99));
            System.out.printf(
                    "| the same from the submit's answer (a lower bound), p50 / p99 | %.1f / %.1f ms |%n",
                    MetricsBenchmark.percentile(afterAnswer, 0.5), MetricsBenchmark.percentile(afterAnswer, 0.99));
            System.out.printf("| claims per second, 8 runners, %,d queued runs | %,.0f |%n", backlog, claimsPerSecond);
        }
    }

    /**
     * Submits a run while the runner's claim waits, and times from sending the submit to the claim's answer: the
     * run is QUEUED once the submit's transaction commits, a moment before its answer reaches the client, and a
     * claim woken then may answer before the submit's answer arrives, so timing from that answer under-reported.
     * From the sending, the time includes the submit's own request: an upper bound.
     */
    private static double[] dispatchMillis(String base, String user, Runner runner) throws Exception {
        CompletableFuture<Map<String, Object>> claim = CompletableFuture.supplyAsync(() -> runner.claim(20));
        waitUntilPolling();
        long sent = System.nanoTime();
        submit(base, user);
        long answered = System.nanoTime();
        Map<String, Object> assignment = claim.get();
        long claimed = System.nanoTime();
        runner.cancelled(assignment);
        // The lower bound too (from the submit's answer), as the benchmark reported before.
        return new double[] {(claimed - sent) / 1e6, Math.max(0, claimed - answered) / 1e6};
    }

    /** The claim request needs a moment to reach the server and start waiting. */
    private static void waitUntilPolling() {
        await().pollDelay(Duration.ofMillis(50)).until(() -> true);
    }

    private static double drain(List<Runner> runners, int runs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(runners.size());
        AtomicInteger claimed = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (Runner runner : runners) {
            workers.add(pool.submit(() -> {
                while (claimed.get() < runs) {
                    Map<String, Object> assignment = runner.claim(0);
                    if (assignment == null) {
                        return null;
                    }
                    claimed.incrementAndGet();
                    runner.cancelled(assignment);
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        double rate = claimed.get() / ((System.nanoTime() - t0) / 1e9);
        pool.shutdown();
        return rate;
    }

    private static List<String> submitMany(String base, String user, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<String>> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(pool.submit(() -> submit(base, user)));
        }
        List<String> runs = new ArrayList<>();
        for (Future<String> id : ids) {
            runs.add(id.get());
        }
        pool.shutdown();
        return runs;
    }

    private static void setUp(String base, String user) throws Exception {
        post(base, user, "/api/v1/teams/default/datasets", Map.of("name", "penguins"));
        HttpResponse<String> upload = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/teams/default/datasets/penguins/versions"))
                        .header("Authorization", "Bearer " + user)
                        .header("Content-Type", "text/csv")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(penguins()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (upload.statusCode() != 201) {
            throw new IllegalStateException(upload.body());
        }
        post(base, user, "/api/v1/teams/default/experiments", Map.of("name", "dispatch"));
    }

    static byte[] penguins() throws IOException {
        try (InputStream csv = DispatchBenchmark.class.getResourceAsStream("/datasets/penguins.csv")) {
            return csv.readAllBytes();
        }
    }

    private static String submit(String base, String user) throws Exception {
        return (String) post(
                        base,
                        user,
                        "/api/v1/teams/default/runs",
                        Map.of(
                                "experiment",
                                "dispatch",
                                "dataset",
                                Map.of("name", "penguins", "version", "1"),
                                "recipe",
                                "tabular-classification",
                                "params",
                                Map.of("label", "species")))
                .get("id");
    }

    static Map<String, Object> post(String base, String token, String path, Object body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? Map.of() : JSON.readValue(response.body(), Map.class);
    }

    /** A simulated runner speaking the worker protocol. */
    record Runner(String base, String token, String id) {

        static Runner register(String base, String token, String name) throws Exception {
            Map<String, Object> registered = post(
                    base,
                    token,
                    "/api/v1/workers/register",
                    Map.of(
                            "name",
                            name,
                            "host",
                            "bench",
                            "cores",
                            1,
                            "memoryBytes",
                            1L << 30,
                            "gpus",
                            List.of(),
                            "recipes",
                            List.of("tabular-classification")));
            return new Runner(base, token, (String) registered.get("workerId"));
        }

        Map<String, Object> claim(int waitSeconds) {
            try {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/" + id + "/claim"))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"freeGpus\":0,\"waitSeconds\":" + waitSeconds + "}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 204 ? null : JSON.readValue(response.body(), Map.class);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void cancelled(Map<String, Object> assignment) throws Exception {
            post(
                    base,
                    token,
                    "/api/v1/workers/" + id + "/runs/" + assignment.get("runId") + "/stopped",
                    Map.of("attempt", assignment.get("attempt"), "reason", "CANCELLED"));
        }
    }
}
