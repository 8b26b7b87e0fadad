package dev.canopy.runner.energy;

import java.util.Locale;

/**
 * Reads one GPU through NVML at each of the meter's reads and decides its method; {@link DeviceLedger} keeps the
 * segments. The energy counter is used while it works. It is dropped for power integration when it fails, goes
 * backwards, or stands still for ≥ 1 s while the device draws > 5 W: a busy GPU must never read 0 J. Power is
 * read at every read in every mode, so that the switch can integrate from the counter's last move. The counter
 * itself is read at every exact read (a run's begin and end, live readings) but by periodic polls only once per
 * counter period, as it is far dearer to read than power; between counter reads nothing is charged, and the
 * next read charges the whole span to the owner, who cannot change without an exact read. When power cannot be
 * read either, the device is unmeasured from then on.
 */
final class DeviceMeter {

    private static final long STALL_NANOS = 1_000_000_000L;
    private static final double STALL_WATTS = 5.0;

    private final VisibleGpu gpu;
    private final Nvml nvml;
    private final DeviceLedger ledger;
    private final long counterPeriodNanos;
    private long lastNanos;
    private long counter;
    private long movedNanos;
    private String powerError;

    /** Starts metering at {@code startNanos}; {@code nvml} may be null only for an unmeasured device. */
    DeviceMeter(VisibleGpu gpu, Nvml nvml, long pollMillis, long counterPeriodNanos, long startNanos, Account totals) {
        this.gpu = gpu;
        this.nvml = nvml;
        this.counterPeriodNanos = counterPeriodNanos;
        this.ledger = new DeviceLedger(gpu, pollMillis, counterPeriodNanos, totals);
        this.lastNanos = startNanos;
        if (ledger.mode() == Method.UNMEASURED) {
            return;
        }
        if (samplePower(startNanos) == null && ledger.mode() == Method.POWER_INTEGRAL) {
            ledger.toUnmeasured(gpu.counterProblem() + ", and power reading failed: " + powerError);
        }
        if (ledger.mode() == Method.COUNTER) {
            try {
                counter = nvml.totalEnergyMillijoules(index());
                ledger.startCounter(counter);
                movedNanos = startNanos;
            } catch (NvmlException e) {
                ledger.leaveCounter("energy counter failed: " + e.getMessage());
            }
        }
    }

    GpuDevice device() {
        return gpu.device();
    }

    DeviceLedger ledger() {
        return ledger;
    }

    /**
     * Reads the device at {@code nanos}; the segment since the previous read is charged to {@code owner}. A
     * periodic read ({@code exact} false) in counter mode only samples power until the counter period is up.
     */
    void read(long nanos, Account owner, boolean exact) {
        if (ledger.mode() == Method.UNMEASURED) {
            ledger.addUnmeasured(lastNanos, nanos, owner);
        } else {
            Double watts = samplePower(nanos);
            if (ledger.mode() == Method.COUNTER) {
                if (!exact && nanos - lastNanos < counterPeriodNanos) {
                    ledger.dropSamples(lastNanos);
                    return;
                }
                readCounter(nanos, owner, watts);
            } else {
                addPower(nanos, owner, watts);
            }
        }
        lastNanos = nanos;
        ledger.dropSamples(nanos);
    }

    private void readCounter(long nanos, Account owner, Double watts) {
        long now;
        try {
            now = nvml.totalEnergyMillijoules(index());
        } catch (NvmlException e) {
            ledger.leaveCounter("energy counter failed: " + e.getMessage());
            addPower(nanos, owner, watts);
            return;
        }
        if (now < counter) {
            ledger.leaveCounter("energy counter went backwards from " + counter + " to " + now + " mJ");
            addPower(nanos, owner, watts);
            return;
        }
        ledger.addCounter(lastNanos, nanos, owner, now);
        if (now > counter) {
            counter = now;
            movedNanos = nanos;
        } else if (nanos - movedNanos >= STALL_NANOS && watts != null && watts > STALL_WATTS) {
            ledger.leaveCounter(String.format(
                    Locale.ROOT,
                    "energy counter stood at %d mJ for %.1f s while the GPU drew %.1f W",
                    now,
                    (nanos - movedNanos) / 1e9,
                    watts));
            ledger.settle(Long.MIN_VALUE);
        } else if (nanos - movedNanos >= STALL_NANOS) {
            // A device drawing next to nothing: its zero deltas are right, and need not stay pending.
            ledger.settle(nanos);
        }
    }

    private void addPower(long nanos, Account owner, Double watts) {
        if (watts == null) {
            ledger.toUnmeasured("power reading failed: " + powerError);
            ledger.addUnmeasured(lastNanos, nanos, owner);
        } else {
            ledger.addPower(lastNanos, nanos, owner);
        }
    }

    private Double samplePower(long nanos) {
        try {
            double watts = nvml.powerMilliwatts(index()) / 1000.0;
            ledger.curve().add(nanos, watts);
            return watts;
        } catch (NvmlException e) {
            powerError = e.getMessage();
            return null;
        }
    }

    private int index() {
        return gpu.device().nvmlIndex();
    }
}
