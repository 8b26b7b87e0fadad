package dev.canopy.runner.energy;

import java.time.Instant;
import java.util.List;

/** The energy metered for one run on one slot, from {@link Slot#begin} to {@link #end()}. */
public final class RunEnergy {

    private final EnergyMeter meter;
    private final Slot slot;
    private final String runKey;
    private final List<DeviceMeter> held;
    private final Account account;
    private Long endNanos;
    private Instant endWall;
    private EnergyReading finalReading;

    RunEnergy(EnergyMeter meter, Slot slot, String runKey, List<DeviceMeter> held, Account account) {
        this.meter = meter;
        this.slot = slot;
        this.runKey = runKey;
        this.held = List.copyOf(held);
        this.account = account;
    }

    /** Live cumulative reading since begin, read now (the final reading once ended). */
    public EnergyReading reading() {
        return meter.runReading(this);
    }

    /**
     * Ends the run's metering: reads everything once more, exactly now, and returns the final reading. Power
     * integration needs a sample half a second past the end on newer GPUs; while the meter's thread runs this
     * waits for it (at most about 1.5 s), otherwise the last sample is held to the end and the detail says so.
     * Idempotent: later calls return the same reading.
     */
    public EnergyReading end() {
        return meter.end(this);
    }

    /** The key given to {@link Slot#begin}. */
    public String runKey() {
        return runKey;
    }

    /** The devices charged to this run. */
    public List<GpuDevice> devices() {
        return held.stream().map(DeviceMeter::device).toList();
    }

    Slot slot() {
        return slot;
    }

    List<DeviceMeter> held() {
        return held;
    }

    boolean holds(DeviceMeter device) {
        return held.contains(device);
    }

    Account account() {
        return account;
    }

    boolean ended() {
        return endNanos != null;
    }

    void markEnded(long nanos, Instant wall) {
        endNanos = nanos;
        endWall = wall;
    }

    long endNanos() {
        return endNanos;
    }

    Instant endWall() {
        return endWall;
    }

    EnergyReading finalReading() {
        return finalReading;
    }

    void finalReading(EnergyReading reading) {
        finalReading = reading;
    }

    /** Whether a device of this run still waits for a power sample past the end. */
    boolean awaitsSamples() {
        return held.stream().anyMatch(d -> d.ledger().awaitsSamples(endNanos));
    }
}
