package dev.canopy.api.error;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A client that goes away in the middle of its upload is its own business: no error in the log, nothing stored. */
@QuarkusTest
class ClientAbortTest {

    @TestHTTPResource("/")
    URI server;

    @ConfigProperty(name = "canopy.home")
    String home;

    private long stagedFiles() throws IOException {
        Path staging = Path.of(home, "artifacts", ".staging");
        if (!Files.exists(staging)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(staging)) {
            return files.count();
        }
    }

    @Test
    void anUploadCutOffByItsClientStoresNothingAndLogsNoError() throws Exception {
        String dataset = unique("cut-off");
        newDataset(adminToken(), "default", dataset);
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        long stagedBefore = stagedFiles();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            try (Socket socket = new Socket(server.getHost(), server.getPort())) {
                String head = "POST /api/v1/teams/default/datasets/" + dataset + "/versions HTTP/1.1\r\n"
                        + "Host: localhost\r\nAuthorization: Bearer " + adminToken() + "\r\n"
                        + "Content-Type: text/csv\r\nContent-Length: 1000000\r\n\r\na,b\n";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 2000; i++) {
                    socket.getOutputStream().write("12345,67890\n".getBytes(StandardCharsets.US_ASCII));
                }
                socket.getOutputStream().flush();
                // Cut off once the server is reading the body: its staged file is there.
                await().atMost(Duration.ofSeconds(10)).until(() -> stagedFiles() > stagedBefore);
            }
            // The server notices when it reads on: once it has, it says so in one line.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> logged.stream().anyMatch(r -> String.valueOf(r.getMessage())
                            .contains("the client closed its connection before its request was read")));
            assertThat(logged).noneMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue());
        } finally {
            root.removeHandler(capture);
        }
        as(adminToken())
                .get("/api/v1/teams/default/datasets/{d}/versions", dataset)
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
    }
}
