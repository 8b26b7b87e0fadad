package dev.canopy.api.bench;

import dev.canopy.api.PlatformProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 1 GiB CSV dataset version uploaded to the packaged platform running with a 256 MiB heap: the upload is
 * streamed to disk and profiled in one pass, so it needs far less memory than its size. Prints throughput and the
 * highest heap use seen in {@code /q/metrics} while it ran. Run with {@code mvn -B -DskipTests -Pbenchmark verify}.
 */
public final class UploadBenchmark {

    private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)");

    public static void main(String[] args) throws Exception {
        long bytes = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        String heap = "-Xmx256m";
        try (PlatformProcess platform = PlatformProcess.start(heap)) {
            HttpClient http = HttpClient.newHttpClient();
            String token = platform.adminToken();
            String base = platform.baseUrl() + "/api/v1/teams/default/datasets";
            http.send(
                    HttpRequest.newBuilder(URI.create(base))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"big\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            AtomicBoolean uploading = new AtomicBoolean(true);
            ExecutorService sampler = Executors.newSingleThreadExecutor();
            Future<Double> maxHeap = sampler.submit(() -> sampleHeap(http, platform.baseUrl(), token, uploading));
            long t0 = System.nanoTime();
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/big/versions"))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "text/csv")
                            .POST(HttpRequest.BodyPublishers.fromPublisher(
                                    HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedCsv(bytes)), bytes))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            uploading.set(false);
            double heapMb = maxHeap.get() / (1 << 20);
            sampler.shutdown();
            if (response.statusCode() != 201) {
                throw new IllegalStateException("upload answered " + response.statusCode() + ": " + response.body());
            }
            Matcher rows = Pattern.compile("\"rowCount\":(\\d+)").matcher(response.body());
            rows.find();
            System.out.printf("%nDataset upload: streamed to the artifact store and profiled in one pass%n");
            System.out.println("| upload | rows | seconds | MB/s | platform heap | highest heap used |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            System.out.printf(
                    "| %,d MiB | %,d | %.1f | %.0f | %s | %.0f MiB |%n",
                    bytes >> 20, Long.parseLong(rows.group(1)), seconds, bytes / 1e6 / seconds, heap, heapMb);
        }
    }

    private static double sampleHeap(HttpClient http, String base, String token, AtomicBoolean running)
            throws Exception {
        double max = 0;
        while (running.get()) {
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            double used = 0;
            Matcher m = HEAP.matcher(metrics);
            while (m.find()) {
                used += Double.parseDouble(m.group(1));
            }
            max = Math.max(max, used);
            TimeUnit.MILLISECONDS.sleep(250);
        }
        return max;
    }

    /** A CSV of exactly {@code size} bytes, made as it is read: numeric, categorical and text columns. */
    static final class GeneratedCsv extends InputStream {

        private static final String[] CATEGORIES = {"red", "green", "blue", "amber"};
        private final long size;
        private long position;
        private long row;
        private byte[] current = "id,value,colour,note\n".getBytes(StandardCharsets.US_ASCII);
        private int offset;

        GeneratedCsv(long size) {
            this.size = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int off, int length) {
            if (position >= size) {
                return -1;
            }
            int n = 0;
            while (n < length && position < size) {
                if (offset == current.length) {
                    current = nextRow();
                    offset = 0;
                }
                int take = (int) Math.min(Math.min(length - n, current.length - offset), size - position);
                System.arraycopy(current, offset, buffer, off + n, take);
                offset += take;
                n += take;
                position += take;
            }
            return n;
        }

        /** Rows end early on the last one so the file is exactly {@code size} bytes and still ends a row. */
        private byte[] nextRow() {
            row++;
            String line = row + "," + (row % 1000) * 0.125 + "," + CATEGORIES[(int) (row % 4)] + ",note "
                    + (row * 7919 % 100_000) + "\n";
            long left = size - position;
            if (left <= line.length() + 24) {
                // The last row: pad the note so the file ends exactly at a newline.
                StringBuilder last = new StringBuilder().append(row).append(",1.0,red,");
                while (last.length() < left - 1) {
                    last.append('x');
                }
                return last.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
            }
            return line.getBytes(StandardCharsets.US_ASCII);
        }
    }
}
