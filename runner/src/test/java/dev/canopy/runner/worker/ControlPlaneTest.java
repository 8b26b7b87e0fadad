package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dataset downloads over a real socket that answers as told: in full, with an error, or part of the body and then
 * nothing (a connection dropped without a word, as NATs and load balancers do).
 */
class ControlPlaneTest {

    private ServerSocket server;
    private final CountDownLatch testOver = new CountDownLatch(1);

    @AfterEach
    void stop() throws IOException {
        testOver.countDown();
        if (server != null) {
            server.close();
        }
    }

    /** Answers one request with {@code head} and {@code body}, then holds the connection open until the test ends. */
    private ControlPlane answering(String head, String body) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> {
            try (Socket socket = server.accept()) {
                BufferedReader request =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                for (String line = request.readLine(); line != null && !line.isEmpty(); line = request.readLine()) {
                    // The request's head; a GET has no body.
                }
                OutputStream out = socket.getOutputStream();
                out.write((head + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                testOver.await();
            } catch (IOException | InterruptedException e) {
                // The test ended.
            }
        });
        thread.setDaemon(true);
        thread.start();
        return new ControlPlane(URI.create("http://127.0.0.1:" + server.getLocalPort()), "token");
    }

    @Test
    void aDownloadThatGoesSilentIsGivenUpRatherThanWaitedForForever(@TempDir Path dir) throws Exception {
        ControlPlane controlPlane =
                answering("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000", "a,b\n1,2\n");
        Path target = Files.createFile(dir.resolve("dataset.part"));

        assertThatThrownBy(() ->
                        controlPlane.downloadDataset(UUID.randomUUID(), 1, target, Duration.ofSeconds(2), () -> false))
                .isInstanceOf(IOException.class)
                .hasMessage("Dataset download stalled: nothing received for 2 s after 8 bytes");
    }

    /** A cancel or a drain heard meanwhile: the download stops within a second, not at its stall limit. */
    @Test
    void aDownloadIsCutShortOnceItsAttemptNoLongerNeedsIt(@TempDir Path dir) throws Exception {
        ControlPlane controlPlane =
                answering("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000", "a,b\n1,2\n");
        Path target = Files.createFile(dir.resolve("dataset.part"));
        long started = System.nanoTime();

        assertThatThrownBy(() -> controlPlane.downloadDataset(
                        UUID.randomUUID(), 1, target, Duration.ofMinutes(2), () -> sizeOf(target) == 8))
                .isInstanceOf(ControlPlane.DownloadStopped.class)
                .hasMessageStartingWith("Dataset download stopped after ");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDownloadArrivesWhole(@TempDir Path dir) throws Exception {
        ControlPlane controlPlane =
                answering("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 8", "a,b\n1,2\n");
        Path target = Files.createFile(dir.resolve("dataset.part"));

        controlPlane.downloadDataset(UUID.randomUUID(), 1, target, Duration.ofSeconds(2), () -> false);

        assertThat(target).hasContent("a,b\n1,2\n");
    }

    @Test
    void aRefusedDownloadSaysWhy(@TempDir Path dir) throws Exception {
        String error = "{\"code\":\"NOT_FOUND\",\"message\":\"no such run\"}";
        ControlPlane controlPlane = answering(
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + error.length(), error);
        Path target = Files.createFile(dir.resolve("dataset.part"));

        assertThatThrownBy(() ->
                        controlPlane.downloadDataset(UUID.randomUUID(), 1, target, Duration.ofSeconds(2), () -> false))
                .isInstanceOf(ControlPlane.Refused.class)
                .hasMessage("Control plane refused the request (404): " + error);
    }
}
