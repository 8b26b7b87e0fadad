package dev.canopy.runner.energy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The energy meter of one runner process: GPU energy from NVML, CPU energy from RAPL or a model, RAM energy from
 * a model, read every {@code poll} and at every run's begin and end, and charged to the runs of its {@link
 * Slot}s (see {@link MeterLedger} for who pays what, {@link DeviceMeter} and {@link HostMeter} for the methods).
 * Thread-safe: the poll thread and the workers' threads share one lock, and reads are cheap.
 */
public final class EnergyMeter implements AutoCloseable {

    /** The name of the daemon thread that polls. */
    public static final String POLL_THREAD_NAME = "canopy-energy-meter";

    private static final Logger LOG = Logger.getLogger(EnergyMeter.class.getName());
    private static final long END_WAIT_NANOS = 1_500_000_000L;

    private final EnergyOptions options;
    private final NvmlAccess nvml;
    private final List<VisibleGpu> gpus;
    private final MeterLedger ledger;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition read = lock.newCondition();
    private volatile Poller poller;
    private volatile boolean awaitingSamples;

    private EnergyMeter(EnergyOptions options, NvmlAccess nvml, List<VisibleGpu> gpus, MeterLedger ledger) {
        this.options = options;
        this.nvml = nvml;
        this.gpus = gpus;
        this.ledger = ledger;
    }

    /**
     * One meter per runner process, with the real readers (NVML through JNA if loadable, RAPL through powercap
     * if readable, else the CPU model; /proc for CPU times and RSS) and a daemon thread that polls every {@code
     * options.poll()}. Never throws because a reader is missing: it falls back and says so in {@link #describe()}.
     */
    public static EnergyMeter start(EnergyOptions options) {
        ProcReader proc = new LinuxProcReader();
        EnergyMeter meter = create(
                JnaNvml.load(options.nvmlLibrary()),
                CpuEnergySource.detect(options, proc),
                proc,
                MeterClock.system(),
                options,
                System.getenv());
        meter.startPolling();
        return meter;
    }

    /**
     * A meter over the given readers, reading nothing until asked: no thread (call {@link #tick()}), and {@link
     * RunEnergy#end()} holds the last power sample instead of waiting for one.
     *
     * @param env the environment, for {@code CUDA_VISIBLE_DEVICES}
     */
    public static EnergyMeter create(
            NvmlAccess nvml,
            CpuEnergySource cpu,
            ProcReader proc,
            MeterClock clock,
            EnergyOptions options,
            Map<String, String> env) {
        HostMeter host = new HostMeter(
                cpu,
                proc,
                options.ramWattsPerGb(),
                options.poll().toMillis(),
                why -> CpuPowerModel.forMachine(options.cpuWatts(), proc, CpuTdpTable.bundled(), why));
        return new EnergyMeter(options, nvml, VisibleGpus.discover(nvml, env), new MeterLedger(clock, host));
    }

    /** Starts the daemon poll thread. */
    void startPolling() {
        poller = new Poller(options.poll(), this::tick);
    }

    /** The id of the poll thread ({@link #POLL_THREAD_NAME}), empty when the meter has none. */
    public OptionalLong pollThreadId() {
        return poller == null ? OptionalLong.empty() : poller.threadId();
    }

    /** The GPUs this process can use, in CUDA order. */
    public List<GpuDevice> gpus() {
        return gpus.stream().map(VisibleGpu::device).toList();
    }

    /** What this meter uses per component now, e.g. {GPU=COUNTER, CPU=MODEL, RAM=MODEL}; no GPU, no GPU key. */
    public Map<Component, Method> methods() {
        return locked(() -> MeterDescription.methods(gpus, ledger));
    }

    /** A human-readable line per component (per GPU) for logs and the workers listing. */
    public List<String> describe() {
        return locked(() -> MeterDescription.lines(gpus, nvml, ledger));
    }

    /**
     * A worker (runner loop) of this process, owning the given CUDA devices (indices into {@link #gpus()}; when
     * NVML is missing, any index, metered as unmeasured). The slot's share of CPU and RAM starts now.
     *
     * @throws IllegalArgumentException for an unknown device, or one another slot owns
     */
    public Slot slot(String name, List<Integer> cudaDevices) {
        return locked(() -> {
            ledger.read();
            Set<Integer> owned = new HashSet<>();
            ledger.allDevices().forEach(d -> owned.add(d.device().cudaIndex()));
            List<DeviceMeter> meters = new ArrayList<>();
            for (int cuda : cudaDevices) {
                if (!owned.add(cuda)) {
                    throw new IllegalArgumentException("CUDA device " + cuda + " already belongs to a slot");
                }
                meters.add(new DeviceMeter(
                        VisibleGpus.forSlot(gpus, nvml, cuda),
                        nvml.nvml().orElse(null),
                        pollMillis(),
                        options.counterPeriod().toNanos(),
                        ledger.lastNanos(),
                        ledger.totals()));
            }
            Slot slot = new Slot(this, name, meters, new Account(ledger.lastWall()));
            ledger.add(slot);
            return slot;
        });
    }

    private long pollMillis() {
        return options.poll().toMillis();
    }

    /**
     * One poll: reads everything (GPU energy counters only once per {@link EnergyOptions#counterPeriod()}) and
     * charges the interval since the last read. The thread calls it.
     */
    public void tick() {
        lock.lock();
        try {
            ledger.read(false);
            read.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread, reads and settles everything a last time, and shuts NVML down. */
    @Override
    public void close() {
        if (poller != null) {
            poller.close();
        }
        locked(() -> {
            if (!ledger.closed()) {
                ledger.close();
                nvml.nvml().ifPresent(EnergyMeter::shutdown);
            }
            read.signalAll();
            return null;
        });
    }

    private static void shutdown(Nvml nvml) {
        try {
            nvml.shutdown();
        } catch (NvmlException e) {
            LOG.log(Level.FINE, "nvmlShutdown failed", e);
        }
    }

    RunEnergy begin(Slot slot, String runKey, int gpus) {
        return locked(() -> {
            if (ledger.closed()) {
                throw new IllegalStateException("the energy meter is closed");
            }
            if (slot.run() != null) {
                throw new IllegalStateException("slot " + slot.name() + " already meters run "
                        + slot.run().runKey());
            }
            if (gpus < 0 || gpus > slot.meters().size()) {
                throw new IllegalArgumentException("run " + runKey + " wants " + gpus + " GPUs; slot " + slot.name()
                        + " has " + slot.meters().size());
            }
            ledger.read();
            RunEnergy run =
                    new RunEnergy(this, slot, runKey, slot.meters().subList(0, gpus), new Account(ledger.lastWall()));
            slot.run(run);
            return run;
        });
    }

    EnergyReading runReading(RunEnergy run) {
        return locked(() -> {
            if (run.finalReading() != null) {
                return run.finalReading();
            }
            if (run.ended()) {
                return ledger.reading(run.account(), run.account(), run.held(), run.endWall());
            }
            ledger.read();
            return ledger.reading(run.account(), run.account(), run.held(), ledger.lastWall());
        });
    }

    EnergyReading end(RunEnergy run) {
        lock.lock();
        try {
            if (!run.ended()) {
                ledger.read();
                run.markEnded(ledger.lastNanos(), ledger.lastWall());
                run.slot().run(null);
            }
            awaitSamples(run);
            if (run.finalReading() == null) {
                run.held().forEach(d -> d.ledger().settle(run.endNanos()));
                run.finalReading(ledger.reading(run.account(), run.account(), run.held(), run.endWall()));
            }
            return run.finalReading();
        } finally {
            lock.unlock();
        }
    }

    /** While the poll thread runs, waits (at most about 1.5 s) for the power samples the run's end needs. */
    private void awaitSamples(RunEnergy run) {
        long deadline = System.nanoTime() + END_WAIT_NANOS;
        try {
            long left;
            while (polling() && run.awaitsSamples() && (left = deadline - System.nanoTime()) > 0) {
                awaitingSamples = true;
                read.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            awaitingSamples = false;
        }
    }

    private boolean polling() {
        return poller != null && poller.running() && !ledger.closed();
    }

    /** Whether an {@link RunEnergy#end()} is waiting for power samples (tests wait for this). */
    boolean awaitingSamples() {
        return awaitingSamples;
    }

    EnergyReading idleReading(Slot slot) {
        return locked(() -> {
            ledger.read();
            return ledger.reading(slot.idleAccount(), slot.idleAccount(), slot.meters(), ledger.lastWall());
        });
    }

    /** Everything read so far, charged or not, with pending segments as if settled now. */
    EnergyReading totals() {
        return locked(() -> ledger.reading(ledger.totals(), null, ledger.allDevices(), ledger.lastWall()));
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
