package dev.canopy.runner.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The runner's side of the worker protocol over HTTP. A 409 (stale attempt) becomes {@link LostRun}, another 4xx
 * {@link Refused}; a 5xx, a 408 or 429 (from a proxy) or a network failure is an IOException, which callers may
 * retry.
 */
final class ControlPlane {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final ObjectMapper json = Protocol.json();
    /** The control plane's URL without a trailing slash; a path in it (behind a reverse proxy) is kept. */
    private final String base;

    private final String token;
    private UUID workerId;

    ControlPlane(URI server, String token) {
        String url = server.toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = token;
    }

    /** Where this runner reaches the control plane. */
    String base() {
        return base;
    }

    /** Thrown when the control plane says this runner no longer holds the run (409). */
    static final class LostRun extends RuntimeException {
        LostRun(String message) {
            super(message);
        }
    }

    /** Thrown when the control plane refuses a request (4xx): sending it again would not help. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    Protocol.Registered register(Protocol.Register register) throws IOException, InterruptedException {
        Protocol.Registered registered = post("/api/v1/workers/register", register, Protocol.Registered.class);
        workerId = registered.workerId();
        return registered;
    }

    /**
     * Renews the runner's leases. Given up after 10 s, a third of the default lease: the next one, 5 s later, tries
     * again, where one hung for minutes would let the leases expire.
     */
    Protocol.HeartbeatReply heartbeat(Protocol.Heartbeat heartbeat) throws IOException, InterruptedException {
        return post(worker("/heartbeat"), heartbeat, Protocol.HeartbeatReply.class, HEARTBEAT_TIMEOUT);
    }

    /** Waits up to {@code waitSeconds} for a run; empty when none came. */
    Optional<Protocol.Assignment> claim(int freeGpus, int waitSeconds) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = send(jsonRequest(worker("/claim"), Duration.ofSeconds(waitSeconds + 30))
                .POST(body(new Protocol.Claim(freeGpus, waitSeconds)))
                .build());
        return response.statusCode() == 204
                ? Optional.empty()
                : Optional.of(json.readValue(response.body(), Protocol.Assignment.class));
    }

    /** A dataset download that receives nothing for this long is given up: a dropped connection, say. */
    static final Duration DOWNLOAD_STALL = Duration.ofMinutes(2);

    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);

    /** Thrown when a download is cut short because its attempt no longer needs it. */
    static final class DownloadStopped extends IOException {
        DownloadStopped(String message) {
            super(message);
        }
    }

    void downloadDataset(UUID runId, int attempt, Path target, BooleanSupplier stop)
            throws IOException, InterruptedException {
        downloadDataset(runId, attempt, target, DOWNLOAD_STALL, stop);
    }

    /**
     * Streams the run's dataset into {@code target} on the client's threads while this one watches the file grow:
     * a read blocked on a connection that went silent would otherwise wait for good (the request's timeout covers
     * the wait for the answer's headers only). Past {@code stall} without a byte, the download is cancelled; as it is
     * within a second of {@code stop} saying so ({@link DownloadStopped}).
     */
    void downloadDataset(UUID runId, int attempt, Path target, Duration stall, BooleanSupplier stop)
            throws IOException, InterruptedException {
        HttpRequest request = request(run(runId, "/dataset?attempt=" + attempt), Duration.ofHours(1))
                .GET()
                .build();
        CompletableFuture<HttpResponse<Path>> download =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofFile(target));
        long size = -1;
        long grewAt = System.nanoTime();
        while (true) {
            HttpResponse<Path> response;
            try {
                response = download.get(Math.min(1000, stall.toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long now = Files.exists(target) ? Files.size(target) : 0;
                if (stop.getAsBoolean()) {
                    download.cancel(true);
                    throw new DownloadStopped("Dataset download stopped after " + now + " bytes");
                }
                if (now != size) {
                    size = now;
                    grewAt = System.nanoTime();
                } else if (System.nanoTime() - grewAt > stall.toNanos()) {
                    download.cancel(true);
                    throw new IOException("Dataset download stalled: nothing received for " + stall.toSeconds()
                            + " s after " + size + " bytes");
                }
                continue;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                download.cancel(true);
                throw e;
            }
            // An error's body (JSON, small) went to the file too.
            check(response.statusCode(), () -> errorText(target));
            return;
        }
    }

    private static String errorText(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
    }

    /** The run's last committed checkpoint: its epoch and bytes. */
    StoredCheckpoint checkpoint(UUID runId, int attempt) throws IOException, InterruptedException {
        HttpResponse<byte[]> response =
                send(request(run(runId, "/checkpoint?attempt=" + attempt), Duration.ofMinutes(10))
                        .GET()
                        .build());
        int epoch = Integer.parseInt(
                response.headers().firstValue("Canopy-Checkpoint-Epoch").orElseThrow());
        return new StoredCheckpoint(epoch, response.body());
    }

    record StoredCheckpoint(int epoch, byte[] bytes) {}

    void putCheckpoint(UUID runId, int attempt, int epoch, byte[] bytes) throws IOException, InterruptedException {
        send(bytesRequest(run(runId, "/checkpoints/" + epoch + "?attempt=" + attempt), bytes));
    }

    Protocol.EpochReply epoch(UUID runId, Protocol.Epoch epoch) throws IOException, InterruptedException {
        return post(run(runId, "/epochs"), epoch, Protocol.EpochReply.class);
    }

    void putModel(UUID runId, int attempt, byte[] zip) throws IOException, InterruptedException {
        send(bytesRequest(run(runId, "/model?attempt=" + attempt), zip));
    }

    void complete(UUID runId, Protocol.Complete complete) throws IOException, InterruptedException {
        post(run(runId, "/complete"), complete, null);
    }

    void fail(UUID runId, Protocol.Fail fail) throws IOException, InterruptedException {
        post(run(runId, "/fail"), fail, null);
    }

    void stopped(UUID runId, Protocol.Stopped stopped) throws IOException, InterruptedException {
        post(run(runId, "/stopped"), stopped, null);
    }

    private String worker(String path) {
        return "/api/v1/workers/" + workerId + path;
    }

    private String run(UUID runId, String path) {
        return worker("/runs/" + runId + path);
    }

    private <T> T post(String path, Object body, Class<T> reply) throws IOException, InterruptedException {
        return post(path, body, reply, Duration.ofMinutes(2));
    }

    private <T> T post(String path, Object body, Class<T> reply, Duration timeout)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response =
                send(jsonRequest(path, timeout).POST(body(body)).build());
        return reply == null ? null : json.readValue(response.body(), reply);
    }

    private HttpRequest bytesRequest(String path, byte[] bytes) {
        return request(path, Duration.ofMinutes(10))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token);
    }

    private HttpRequest.BodyPublisher body(Object value) throws IOException {
        return HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(value));
    }

    private HttpRequest.Builder jsonRequest(String path, Duration timeout) {
        return request(path, timeout).header("Content-Type", "application/json");
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        check(response.statusCode(), () -> new String(response.body()));
        return response;
    }

    private interface Body {
        String read() throws IOException;
    }

    private static void check(int status, Body body) throws IOException {
        if (status == 409) {
            throw new LostRun(body.read());
        }
        if (status == 408 || status == 429) {
            // A proxy's timeout or rate limit: worth trying again, unlike the control plane's own refusals.
            throw new IOException("Control plane answered " + status + ": " + body.read());
        }
        if (status >= 400 && status < 500) {
            throw new Refused("Control plane refused the request (" + status + "): " + body.read());
        }
        if (status >= 300) {
            throw new IOException("Control plane answered " + status + ": " + body.read());
        }
    }
}
