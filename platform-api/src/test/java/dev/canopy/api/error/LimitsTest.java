package dev.canopy.api.error;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.newRun;
import static dev.canopy.api.TestApi.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Oversized requests get 413 in the error format, with and without a Content-Length, and store nothing. */
@QuarkusTest
@TestProfile(LimitsTest.SmallLimits.class)
class LimitsTest {

    @TestHTTPResource("/")
    URI server;

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "canopy.api.max-request-size", "64K",
                    "canopy.datasets.max-upload-size", "1K",
                    "canopy.metrics.max-batch-points", "100",
                    "canopy.metrics.max-series-per-run", "5");
        }
    }

    static String csvOf(int bytes) {
        StringBuilder csv = new StringBuilder("a,b\n");
        while (csv.length() < bytes) {
            csv.append("12345,67890\n");
        }
        return csv.toString();
    }

    @Test
    void refusesAnOversizedUploadAndKeepsNothing() {
        String dataset = unique("too-big");
        newDataset(adminToken(), "default", dataset);
        given().auth()
                .oauth2(adminToken())
                .contentType("text/csv")
                .body(csvOf(4096))
                .post("/api/v1/teams/default/datasets/{d}/versions", dataset)
                .then()
                .statusCode(413)
                .body("code", equalTo("PAYLOAD_TOO_LARGE"));
        // Chunked: no Content-Length, the limit is enforced while reading.
        given().auth()
                .oauth2(adminToken())
                .contentType("text/csv")
                .body(new ByteArrayInputStream(csvOf(4096).getBytes()))
                .post("/api/v1/teams/default/datasets/{d}/versions", dataset)
                .then()
                .statusCode(413)
                .body("code", equalTo("PAYLOAD_TOO_LARGE"));
        as(adminToken())
                .get("/api/v1/teams/default/datasets/{d}/versions", dataset)
                .then()
                .body("size()", equalTo(0));
        given().auth()
                .oauth2(adminToken())
                .contentType("text/csv")
                .body(csvOf(500))
                .post("/api/v1/teams/default/datasets/{d}/versions", dataset)
                .then()
                .statusCode(201);
    }

    /**
     * An upload whose Content-Length says it is too large is refused before its body is read: the client has sent
     * only the head and a few bytes when the 413 comes (before, the server waited for the body, and stored up to
     * the limit first).
     */
    @Test
    void refusesAnUploadThatDeclaresTooManyBytesBeforeReadingIt() throws Exception {
        String dataset = unique("declared");
        newDataset(adminToken(), "default", dataset);
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST /api/v1/teams/default/datasets/" + dataset + "/versions HTTP/1.1\r\n"
                    + "Host: localhost\r\nAuthorization: Bearer " + adminToken() + "\r\n"
                    + "Content-Type: text/csv\r\nContent-Length: 8000000000\r\n\r\na,b\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
        }
        as(adminToken())
                .get("/api/v1/teams/default/datasets/{d}/versions", dataset)
                .then()
                .body("size()", equalTo(0));
    }

    @Test
    void refusesAnOversizedJsonBody() {
        String name = "x".repeat(70 * 1024);
        as(adminToken())
                .body(Map.of("name", name))
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(413)
                .body("code", equalTo("PAYLOAD_TOO_LARGE"))
                .body("message", equalTo("Request bodies are limited to 65536 bytes"));
        as(adminToken())
                .body(new ByteArrayInputStream(("{\"name\": \"" + name + "\"}").getBytes()))
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(413)
                .body("code", equalTo("PAYLOAD_TOO_LARGE"));
    }

    /**
     * Bodies sent in chunks (no Content-Length) are counted as they arrive, with a Content-Type or without one: a
     * chunked body without one bypassed the limit, and a method taking bytes read it whole into memory.
     */
    @Test
    void refusesAnOversizedChunkedBodyWithOrWithoutContentType() throws Exception {
        String run = newRun(adminToken(), "default");
        byte[] points = ("{\"points\": [{\"key\": \"" + "k".repeat(70 * 1024) + "\", \"value\": 1}]}")
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(chunked("/api/v1/teams/default/runs/" + run + "/metrics", null, points))
                .startsWith("HTTP/1.1 413")
                .contains("PAYLOAD_TOO_LARGE");
        byte[] experiment = ("{\"name\": \"" + "x".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThat(chunked("/api/v1/teams/default/experiments", "application/json", experiment))
                .startsWith("HTTP/1.1 413")
                .contains("PAYLOAD_TOO_LARGE");
    }

    /** POSTs {@code body} in 8 KiB chunks over a plain socket; returns the answer's status line and body. */
    private String chunked(String path, String contentType, byte[] body) throws Exception {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + adminToken()
                    + "\r\n" + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                for (int from = 0; from < body.length; from += 8192) {
                    int length = Math.min(8192, body.length - from);
                    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, from, length);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // Answered and closed before the whole body was sent: the answer is what counts.
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void refusesABatchWithTooManyPoints() {
        String run = newRun(adminToken(), "default");
        List<Map<String, Object>> points = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            points.add(Map.of("key", "loss", "step", i, "value", 1.0));
        }
        as(adminToken())
                .body(Map.of("points", points))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(413)
                .body("message", equalTo("A batch may carry at most 100 points"));
    }

    @Test
    void refusesAMetricKeyPastTheRunsLimitAndKeepsTheRestOfTheBatchOut() {
        String run = newRun(adminToken(), "default");
        List<Map<String, Object>> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(Map.of("key", "k" + i, "step", 0, "value", 1.0));
        }
        as(adminToken())
                .body(Map.of("points", five))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(200);
        // A sixth key is refused, with the whole batch: its point for a known key is not stored either.
        as(adminToken())
                .body(Map.of(
                        "points",
                        List.of(
                                Map.of("key", "k0", "step", 1, "value", 2.0),
                                Map.of("key", "k5", "step", 1, "value", 2.0))))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("points[1].key"))
                .body("details[0].problem", containsString("a run may have at most 5"));
        // Its known keys take values still.
        as(adminToken())
                .body(Map.of("points", List.of(Map.of("key", "k0", "step", 1, "value", 3.0))))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(200);
        as(adminToken())
                .get("/api/v1/teams/default/runs/{r}/metrics/k0", run)
                .then()
                .statusCode(200)
                .body("points.value", equalTo(List.of(1.0f, 3.0f)));
    }
}
