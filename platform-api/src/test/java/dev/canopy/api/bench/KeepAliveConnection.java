package dev.canopy.api.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection that sends the same prepared request again and again and reads each answer's
 * status, skipping its body, the way wrk does. The serving benchmark's clients run on the machine they measure, so
 * the client's own CPU is taken from the platform: {@link java.net.http.HttpClient} hands every request across
 * several threads and, on 2 cores, held a warm platform to about two thirds of the requests per second that wrk,
 * or this class, get from it.
 *
 * <p>Reads answers that carry a {@code Content-Length} (the platform's JSON answers do), answers without a body
 * (204, 304) and skips interim 1xx answers; any other answer, or none within 30 s, is an {@link IOException}. After
 * an answer that says {@code Connection: close} the connection is closed ({@link #isOpen()}). Not thread-safe: one
 * per client thread.
 */
final class KeepAliveConnection implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] request;
    private final StringBuilder line = new StringBuilder();

    /** A connection to {@code base} for {@code POST path} with {@code body} as JSON, or {@code GET} when null. */
    KeepAliveConnection(String base, String path, String token, byte[] body) throws IOException {
        URI uri = URI.create(base);
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        socket = new Socket(uri.getHost(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        String head = (body == null ? "GET " : "POST ") + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + port + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] bodyBytes = body == null ? new byte[0] : body;
        request = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, request, headBytes.length, bodyBytes.length);
    }

    /** Sends the request and reads the whole answer; returns its status code. */
    int send() throws IOException {
        out.write(request);
        out.flush();
        while (true) {
            String status = readLine();
            if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
                throw new IOException("not an HTTP/1.1 status line: " + status);
            }
            int code = parse(status.substring(9, 12), status);
            long length = -1;
            boolean close = false;
            for (String header = readLine(); !header.isEmpty(); header = readLine()) {
                if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = parse(header.substring(15).trim(), header);
                } else if (header.regionMatches(true, 0, "connection:", 0, 11)) {
                    close = header.substring(11).trim().equalsIgnoreCase("close");
                }
            }
            if (code < 200) {
                continue;
            }
            if (code == 204 || code == 304) {
                length = 0;
            }
            if (length < 0) {
                throw new IOException("an answer without Content-Length (status " + code + ")");
            }
            in.skipNBytes(length);
            if (close) {
                socket.close();
            }
            return code;
        }
    }

    /** False once the platform asked for the connection to be closed, or it was closed. */
    boolean isOpen() {
        return !socket.isClosed();
    }

    private static int parse(String number, String line) throws IOException {
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            throw new IOException("not a number in: " + line);
        }
    }

    private String readLine() throws IOException {
        line.setLength(0);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the platform closed the connection");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
