package dev.canopy.api.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between runners and the control plane that passes everything on, except the answer to a request whose
 * head contains {@code stalledPath}: that connection then goes silent, as a dataset download over a slow or stuck
 * link does, while the runner's heartbeats and reports (on other connections) go through.
 */
final class StallingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final URI target;
    private final String stalledPath;
    private final AtomicInteger stalled = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    StallingProxy(URI target, String stalledPath) throws IOException {
        this.target = target;
        this.stalledPath = stalledPath;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept);
    }

    /** Where runners reach the control plane through this proxy. */
    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + target.getPath());
    }

    /** How many requests for {@code stalledPath} went unanswered so far. */
    int stalled() {
        return stalled.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getHost(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                boolean[] silent = {false};
                daemon(() -> pump(client, server, silent, true));
                daemon(() -> pump(server, client, silent, false));
            } catch (IOException e) {
                // Closed: the test is over.
            }
        }
    }

    /**
     * Copies {@code from} to {@code to}. Requests (from the runner) are looked at for {@code stalledPath}; once one is
     * seen, nothing more of the control plane's answers on that connection is passed on.
     */
    private void pump(Socket from, Socket to, boolean[] silent, boolean requests) {
        byte[] buffer = new byte[8192];
        StringBuilder recent = new StringBuilder();
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (requests) {
                    recent.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                    if (recent.indexOf(stalledPath) >= 0) {
                        synchronized (silent) {
                            silent[0] = true;
                        }
                        stalled.incrementAndGet();
                        recent.setLength(0);
                    }
                    recent.delete(0, Math.max(0, recent.length() - stalledPath.length()));
                } else {
                    synchronized (silent) {
                        if (silent[0]) {
                            continue;
                        }
                    }
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // One side closed the connection.
        } finally {
            close(from);
            close(to);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(StallingProxy::close);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "stalling-proxy");
        thread.setDaemon(true);
        thread.start();
    }
}
