package dev.canopy.runner.energy;

import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * The energy meter's own cost (goal G9: under 1 % of one core at a 100 ms poll). Starts the real meter ({@link
 * EnergyMeter#start}, poll 100 ms) with one slot owning every visible GPU and one run holding them, and measures
 * the CPU time of its poll thread over N seconds (default 30, first argument) against a baseline in the same
 * run: a plain {@link ScheduledExecutorService} ticking an empty task every 100 ms. Both run W seconds (default
 * 10, second argument) before the measurement starts, so that the JIT has compiled the poll path: a runner polls
 * for hours, and 300 mostly interpreted ticks would overstate its cost. Prints a markdown table.
 *
 * <p>On a machine without NVML the GPU reads are not exercised: the figures then cover /proc, RAPL or the CPU
 * model, and the bookkeeping only.
 *
 * <p>{@code mvn -B -Pbenchmark -pl runner exec:java@energy-meter-benchmark [-Dexec.args="60 10"]}
 */
public final class EnergyMeterBenchmark {

    private static final long POLL_MILLIS = 100;

    private EnergyMeterBenchmark() {}

    public static void main(String[] args) throws InterruptedException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        threads.setThreadCpuTimeEnabled(true);
        try (EnergyMeter meter = EnergyMeter.start(EnergyOptions.defaults())) {
            List<Integer> gpus = IntStream.range(0, meter.gpus().size()).boxed().toList();
            RunEnergy run = meter.slot("benchmark", gpus).begin("benchmark-run", gpus.size());
            AtomicReference<Thread> baselineThread = new AtomicReference<>();
            AtomicLong baselineTicks = new AtomicLong();
            ScheduledExecutorService baseline = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "baseline-ticker");
                thread.setDaemon(true);
                baselineThread.set(thread);
                return thread;
            });
            baseline.scheduleAtFixedRate(
                    baselineTicks::incrementAndGet, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
            long meterThread = meter.pollThreadId().orElseThrow();
            long baselineId = baselineThread.get().getId();
            // It has to let real time pass.
            letPass(Duration.ofSeconds(warmup));
            long meterCpu = threads.getThreadCpuTime(meterThread);
            long baseCpu = threads.getThreadCpuTime(baselineId);
            long ticksBefore = baselineTicks.get();
            long start = System.nanoTime();
            letPass(Duration.ofSeconds(seconds));
            long elapsed = System.nanoTime() - start;
            meterCpu = threads.getThreadCpuTime(meterThread) - meterCpu;
            baseCpu = threads.getThreadCpuTime(baselineId) - baseCpu;
            long baseTicks = baselineTicks.get() - ticksBefore;
            baseline.shutdownNow();
            EnergyReading reading = run.end();
            print(seconds, warmup, elapsed, meterCpu, baseCpu, baseTicks, meter, reading, tickWallMicros(meter));
        }
    }

    /** Mean wall time of one {@link EnergyMeter#tick()} called directly, in microseconds. */
    private static double tickWallMicros(EnergyMeter meter) {
        int calls = 1000;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            meter.tick();
        }
        return (System.nanoTime() - start) / 1e3 / calls;
    }

    private static void print(
            int seconds,
            int warmup,
            long elapsedNanos,
            long meterCpu,
            long baseCpu,
            long baseTicks,
            EnergyMeter meter,
            EnergyReading reading,
            double tickMicros) {
        // The meter's executor runs at a fixed rate, so its ticks are the elapsed periods.
        long meterTicks = elapsedNanos / (POLL_MILLIS * 1_000_000);
        System.out.printf(
                Locale.ROOT,
                "%n## Energy meter overhead (%d s after %d s of warm-up, poll %d ms)%n%n",
                seconds,
                warmup,
                POLL_MILLIS);
        System.out.println("| thread | ticks | CPU ms per tick | % of one core |");
        System.out.println("|---|---:|---:|---:|");
        row("energy meter poll thread", meterTicks, meterCpu, elapsedNanos);
        row("baseline: empty ScheduledExecutor task", baseTicks, baseCpu, elapsedNanos);
        System.out.printf(Locale.ROOT, "%nOne tick() called directly: %.1f µs wall.%n", tickMicros);
        System.out.println("Methods: " + meter.methods());
        meter.describe().forEach(line -> System.out.println("- " + line));
        System.out.println("The run's reading: " + reading.seconds() + " s");
        reading.components()
                .forEach(c -> System.out.printf(
                        Locale.ROOT,
                        "- %s %s: %s J%n",
                        c.component(),
                        c.method().label(),
                        c.joules()));
    }

    private static void row(String name, long ticks, long cpuNanos, long elapsedNanos) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %d | %.4f | %.3f %% |%n",
                name,
                ticks,
                cpuNanos / 1e6 / Math.max(1, ticks),
                100.0 * cpuNanos / elapsedNanos);
    }

    /** Waits until {@code time} has passed (from now). */
    private static void letPass(Duration time) {
        long due = System.nanoTime() + time.toNanos();
        await().pollInterval(Duration.ofMillis(20)).atMost(time.plusSeconds(30)).until(() -> System.nanoTime() >= due);
    }
}
