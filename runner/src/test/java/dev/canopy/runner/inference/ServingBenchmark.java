package dev.canopy.runner.inference;

import static org.awaitility.Awaitility.await;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Serving throughput and latency of a small tabular model (the penguins classifier: 13 inputs, hidden layers 64
 * and 32, 3 classes): {@value #CLIENTS} in-process clients each send 1-record requests back to back for N seconds
 * (default 10, first argument) after {@value #WARM_UP_SECONDS} s of warm-up, with batching off and then on, both
 * with {@link ServingOptions#defaults()} otherwise. Prints a markdown table with the ratio.
 *
 * <p>CPU per prediction is given twice: {@link ServedModel#cpuNanos()} (what serving accounts for) and the whole
 * process's CPU time (which also holds the clients, the batcher's collecting and the engine's own threads).
 *
 * <p>{@code mvn -B -Pbenchmark -pl runner exec:java@serving-benchmark [-Dexec.args=30]}
 */
public final class ServingBenchmark {

    private static final int CLIENTS = 64;
    private static final int WARM_UP_SECONDS = 2;

    /** What one mode measured over the timed window. */
    private record Result(
            String mode,
            double seconds,
            long[] latencies,
            long predictions,
            long passes,
            long servedCpu,
            long processCpu) {

        double perSecond() {
            return latencies.length / seconds;
        }

        double millisAt(double quantile) {
            int index = (int) Math.min(latencies.length - 1, Math.floor(quantile * latencies.length));
            return latencies[index] / 1e6;
        }

        double microsPerPrediction(long cpuNanos) {
            return cpuNanos / 1e3 / predictions;
        }
    }

    private ServingBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        byte[] artifact = PenguinModels.classifier();
        ServingOptions defaults = ServingOptions.defaults();
        Result off = measure("batching off", artifact, defaults.withBatching(false), seconds);
        Result on = measure("batching on", artifact, defaults, seconds);
        print(defaults, seconds, off, on);
    }

    private static Result measure(String mode, byte[] artifact, ServingOptions options, int seconds)
            throws InterruptedException {
        List<Map<String, Object>> records = PenguinModels.penguins(CLIENTS);
        try (ServedModel served = ServedModel.load(artifact, options)) {
            long from = System.nanoTime() + WARM_UP_SECONDS * 1_000_000_000L;
            long to = from + seconds * 1_000_000_000L;
            List<Client> clients = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (Map<String, Object> record : records) {
                Client client = new Client(served, record, from, to);
                clients.add(client);
                threads.add(new Thread(client, "benchmark-client-" + clients.size()));
            }
            threads.forEach(Thread::start);
            // The warm-up has to pass before the counters are read (the clients start measuring at from).
            // Counters cover the window from here until the clients stop, latencies the requests sent and answered
            // in it.
            await().pollInterval(Duration.ofMillis(20))
                    .atMost(Duration.ofSeconds(WARM_UP_SECONDS + 30L))
                    .until(() -> System.nanoTime() >= from);
            long predictions = served.predictions();
            long passes = served.forwardPasses();
            long servedCpu = served.cpuNanos();
            long processCpu = processCpuNanos();
            for (Thread thread : threads) {
                thread.join();
            }
            long[] latencies = clients.stream()
                    .flatMapToLong(client -> Arrays.stream(client.latencies, 0, client.count))
                    .sorted()
                    .toArray();
            return new Result(
                    mode,
                    seconds,
                    latencies,
                    served.predictions() - predictions,
                    served.forwardPasses() - passes,
                    served.cpuNanos() - servedCpu,
                    processCpuNanos() - processCpu);
        }
    }

    /** Sends 1-record requests until {@code to}, keeping the latencies of those sent and answered in the window. */
    private static final class Client implements Runnable {
        private final ServedModel served;
        private final List<Map<String, Object>> request;
        private final long from;
        private final long to;
        private long[] latencies = new long[4096];
        private int count;

        Client(ServedModel served, Map<String, Object> record, long from, long to) {
            this.served = served;
            this.request = List.of(record);
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            for (long sent = System.nanoTime(); sent < to; sent = System.nanoTime()) {
                try {
                    served.predict(request);
                } catch (InvalidRecord e) {
                    throw new IllegalStateException(e);
                }
                long answered = System.nanoTime();
                if (sent >= from && answered <= to) {
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = answered - sent;
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void print(ServingOptions options, int seconds, Result off, Result on) {
        System.out.printf(
                Locale.ROOT,
                "%n## Serving: %d clients, 1-record requests, %d s (%d processors; %d predictors; batches of up to %d"
                        + " records or %d ms)%n%n",
                CLIENTS,
                seconds,
                Runtime.getRuntime().availableProcessors(),
                options.predictors(),
                options.batching().maxBatchRecords(),
                options.batching().maxWait().toMillis());
        System.out.println("| mode | requests/s | p50 ms | p99 ms | records per pass | served CPU µs/prediction"
                + " | process CPU µs/prediction |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Result result : List.of(off, on)) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.0f | %.3f | %.3f | %.1f | %.1f | %.1f |%n",
                    result.mode(),
                    result.perSecond(),
                    result.millisAt(0.50),
                    result.millisAt(0.99),
                    (double) result.predictions() / Math.max(1, result.passes()),
                    result.microsPerPrediction(result.servedCpu()),
                    result.microsPerPrediction(result.processCpu()));
        }
        System.out.printf(
                Locale.ROOT,
                "| on / off | %.2f× | %.2f× | %.2f× | | %.2f× | %.2f× |%n",
                on.perSecond() / off.perSecond(),
                on.millisAt(0.50) / off.millisAt(0.50),
                on.millisAt(0.99) / off.millisAt(0.99),
                on.microsPerPrediction(on.servedCpu()) / off.microsPerPrediction(off.servedCpu()),
                on.microsPerPrediction(on.processCpu()) / off.microsPerPrediction(off.processCpu()));
    }
}
