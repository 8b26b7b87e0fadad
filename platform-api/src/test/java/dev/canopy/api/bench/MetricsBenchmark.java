package dev.canopy.api.bench;

import dev.canopy.api.PlatformProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;

/**
 * Metric ingestion and read-back against the packaged platform with its embedded PostgreSQL, on one machine:
 *
 * <ul>
 *   <li>(a) raw PostgreSQL binary COPY of N points into {@code metric_points}, in transactions of one batch each:
 *       the floor no API can beat;
 *   <li>(b) the same N points through {@code POST .../runs/{id}/metrics} (HTTP, JSON, auth, validation, block
 *       summaries, series bookkeeping, persistence);
 *   <li>both with batches of 10,000 and 50,000 points, from one client and from two (two runs, two series);
 *   <li>the latency of one 1,000-point batch; the time to fetch an N-point series downsampled to 1,000 points.
 * </ul>
 *
 * Request bodies and COPY buffers are built before the clock starts, so both sides time only the write. Each
 * round measures (a) then (b), so machine noise hits both. Run with {@code mvn -B -DskipTests -Pbenchmark verify}
 * (arguments: points, rounds).
 */
public final class MetricsBenchmark {

    static final int BATCH = 10_000;
    static final String KEY = "loss";

    public static void main(String[] args) throws Exception {
        int points = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] batchSizes = {10_000, 50_000};
        try (PlatformProcess platform = PlatformProcess.start(
                        System.getProperty("bench.jvm", "-Xmx1g").split(" "));
                Connection db = platform.connect()) {
            Api api = new Api(platform.baseUrl(), platform.adminToken());
            api.post("/api/v1/teams/default/experiments", "{\"name\":\"bench\"}");

            // Warm-up: JIT and caches on both paths.
            copy(db, newSeries(db, api.newRun()), points / 5, BATCH);
            api.ingest(List.of(api.newRun()), points / 5, BATCH);

            System.out.printf(
                    "%nMetric ingestion and read-back, N = %,d points, median of %d rounds%n", points, rounds);
            System.out.printf(
                    "JVM %s, %d cores available%n",
                    System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors());
            System.out.println("| batch | clients | (a) raw COPY, points/s | (b) REST, points/s | (b) / (a) |");
            System.out.println("|---:|---:|---:|---:|---:|");
            String downsampleRun = null;
            for (int batch : batchSizes) {
                for (int clients : new int[] {1, 2}) {
                    List<Double> copyRates = new ArrayList<>();
                    List<Double> restRates = new ArrayList<>();
                    for (int round = 0; round < rounds; round++) {
                        copyRates.add(copyConcurrently(platform, db, api, points, batch, clients));
                        List<String> runs = new ArrayList<>();
                        for (int c = 0; c < clients; c++) {
                            runs.add(api.newRun());
                        }
                        restRates.add(api.ingest(runs, points, batch));
                        downsampleRun = clients == 1 ? runs.get(0) : downsampleRun;
                    }
                    double copy = median(copyRates);
                    double rest = median(restRates);
                    System.out.printf(
                            "| %,d | %d | %,.0f | %,.0f | %.0f %% |%n", batch, clients, copy, rest, 100 * rest / copy);
                }
            }
            double[] batchLatency = api.batchLatencies(api.newRun(), 300, 1_000);
            double[] fetch = api.downsampledFetches(downsampleRun, 30);
            System.out.println();
            System.out.println("| latency | p50 ms | p99 ms |");
            System.out.println("|---|---:|---:|");
            System.out.printf("| one 1,000-point batch | %.1f | %.1f |%n", batchLatency[0], batchLatency[1]);
            System.out.printf(
                    "| fetch a %,d-point series downsampled to 1,000 points | %.1f | %.1f |%n",
                    points, fetch[0], fetch[1]);
        }
    }

    private static long newSeries(Connection db, String runId) throws Exception {
        try (PreparedStatement insert =
                db.prepareStatement("INSERT INTO metric_series (run_id, key) VALUES (?::uuid, ?) RETURNING id")) {
            insert.setString(1, runId);
            insert.setString(2, KEY);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Points per second of binary COPY in {@code chunk}-row transactions (the API's batching). */
    private static double copy(Connection db, long seriesId, int points, int chunk) throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        for (int start = 0; start < points; start += chunk) {
            chunks.add(copyChunk(seriesId, start, Math.min(chunk, points - start)));
        }
        PGConnection pg = db.unwrap(PGConnection.class);
        long t0 = System.nanoTime();
        for (byte[] rows : chunks) {
            pg.getCopyAPI()
                    .copyIn(
                            "COPY metric_points (series_id, step, timestamp, value) FROM STDIN (FORMAT binary)",
                            new ByteArrayInputStream(rows));
        }
        return points / ((System.nanoTime() - t0) / 1e9);
    }

    /** {@code clients} connections, each COPYing its share into a series of its own. */
    private static double copyConcurrently(
            PlatformProcess platform, Connection db, Api api, int points, int chunk, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Connection> connections = new ArrayList<>();
        List<Long> series = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            connections.add(platform.connect());
            series.add(newSeries(db, api.newRun()));
        }
        long t0 = System.nanoTime();
        List<Future<Double>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Connection connection = connections.get(c);
            long id = series.get(c);
            done.add(pool.submit(() -> copy(connection, id, points / clients, chunk)));
        }
        for (Future<Double> f : done) {
            f.get();
        }
        double rate = points / ((System.nanoTime() - t0) / 1e9);
        pool.shutdown();
        for (Connection connection : connections) {
            connection.close();
        }
        return rate;
    }

    private static byte[] copyChunk(long seriesId, int start, int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(19 + count * 46);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(0);
            for (int i = start; i < start + count; i++) {
                out.writeShort(4);
                out.writeInt(8);
                out.writeLong(seriesId);
                out.writeInt(8);
                out.writeLong(i);
                out.writeInt(8);
                out.writeLong(1_700_000_000_000L + i);
                out.writeInt(8);
                out.writeDouble(value(i));
            }
            out.writeShort(-1);
        }
        return bytes.toByteArray();
    }

    static double value(int step) {
        return Math.exp(-step / 200_000.0) + (step % 9_973 == 0 ? 5 : 0) + (step % 7 * 0.001);
    }

    static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    static double percentile(double[] sortedMillis, double p) {
        return sortedMillis[Math.min(sortedMillis.length - 1, (int) Math.ceil(p * sortedMillis.length) - 1)];
    }

    /** The REST side, with java.net.http and hand-built JSON so that the client costs as little as possible. */
    static final class Api {

        private final HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final String base;
        private final String token;
        private final AtomicInteger runs = new AtomicInteger();

        Api(String base, String token) {
            this.base = base;
            this.token = token;
        }

        String post(String path, String json) throws Exception {
            HttpResponse<String> response = http.send(
                    request(path)
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        }

        String newRun() throws Exception {
            String body = post(
                    "/api/v1/teams/default/runs",
                    "{\"experiment\":\"bench\",\"name\":\"r" + runs.incrementAndGet() + "\"}");
            int at = body.indexOf("\"id\":\"") + 6;
            return body.substring(at, body.indexOf('"', at));
        }

        private HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json");
        }

        static String batch(int start, int count) {
            StringBuilder json = new StringBuilder(count * 72)
                    .append("{\"batchId\":\"")
                    .append(UUID.randomUUID())
                    .append("\",\"points\":[");
            for (int i = start; i < start + count; i++) {
                if (i > start) {
                    json.append(',');
                }
                json.append("{\"key\":\"")
                        .append(KEY)
                        .append("\",\"step\":")
                        .append(i)
                        .append(",\"timestamp\":")
                        .append(1_700_000_000_000L + i)
                        .append(",\"value\":")
                        .append(value(i))
                        .append('}');
            }
            return json.append("]}").toString();
        }

        /** Points per second of {@code batch}-point requests, one client per run, each sending its share. */
        double ingest(List<String> runs, int points, int batch) throws Exception {
            int share = points / runs.size();
            List<List<byte[]>> bodies = new ArrayList<>();
            for (int c = 0; c < runs.size(); c++) {
                List<byte[]> mine = new ArrayList<>();
                for (int start = 0; start < share; start += batch) {
                    mine.add(batch(start, Math.min(batch, share - start)).getBytes(StandardCharsets.UTF_8));
                }
                bodies.add(mine);
            }
            ExecutorService pool = Executors.newFixedThreadPool(runs.size());
            long t0 = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < runs.size(); c++) {
                String path = "/api/v1/teams/default/runs/" + runs.get(c) + "/metrics";
                List<byte[]> mine = bodies.get(c);
                workers.add(pool.submit(() -> {
                    for (byte[] body : mine) {
                        send(path, body);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            double rate = points / ((System.nanoTime() - t0) / 1e9);
            pool.shutdown();
            return rate;
        }

        private void send(String path, byte[] body) throws Exception {
            HttpResponse<String> response = http.send(
                    request(path)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("ingest answered " + response.statusCode() + ": " + response.body());
            }
        }

        /** p50 and p99 in ms of single {@code size}-point batches sent one after the other. */
        double[] batchLatencies(String run, int requests, int size) throws Exception {
            String path = "/api/v1/teams/default/runs/" + run + "/metrics";
            double[] millis = new double[requests];
            for (int r = 0; r < requests; r++) {
                byte[] body = batch(r * size, size).getBytes(StandardCharsets.UTF_8);
                long t0 = System.nanoTime();
                send(path, body);
                millis[r] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(millis);
            return new double[] {percentile(millis, 0.5), percentile(millis, 0.99)};
        }

        /** p50 and p99 in ms of GET ...?maxPoints=1000 on the run's whole series. */
        double[] downsampledFetches(String run, int requests) throws Exception {
            String path = "/api/v1/teams/default/runs/" + run + "/metrics/" + KEY + "?maxPoints=1000";
            double[] millis = new double[requests];
            for (int r = -5; r < requests; r++) {
                long t0 = System.nanoTime();
                HttpResponse<String> response =
                        http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r >= 0) {
                    millis[r] = (System.nanoTime() - t0) / 1e6;
                }
                if (response.statusCode() != 200 || !response.body().contains("\"downsampled\":true")) {
                    throw new IllegalStateException("downsampled fetch answered " + response.statusCode());
                }
            }
            Arrays.sort(millis);
            return new double[] {percentile(millis, 0.5), percentile(millis, 0.99)};
        }
    }
}
