package dev.canopy.runner.energy;

import java.util.List;

/**
 * A worker (runner loop) of the meter's process, owning some CUDA devices. At most one run at a time is charged
 * through it; while it holds none, its share of the process's CPU and RAM energy and its devices' energy are its
 * idle energy.
 */
public final class Slot {

    private final EnergyMeter meter;
    private final String name;
    private final List<DeviceMeter> meters;
    private final Account idle;
    private RunEnergy run;

    Slot(EnergyMeter meter, String name, List<DeviceMeter> meters, Account idle) {
        this.meter = meter;
        this.name = name;
        this.meters = List.copyOf(meters);
        this.idle = idle;
    }

    /**
     * From now until {@link RunEnergy#end()}, the run is charged the first {@code gpus} of this slot's devices
     * and this slot's share of the process's CPU and RAM energy.
     *
     * @throws IllegalStateException when this slot already has a run, or the meter is closed
     * @throws IllegalArgumentException when {@code gpus} is negative or more than the slot's devices
     */
    public RunEnergy begin(String runKey, int gpus) {
        return meter.begin(this, runKey, gpus);
    }

    /** Cumulative energy of this slot while it held no run (devices and CPU/RAM share), since it was made. */
    public EnergyReading idle() {
        return meter.idleReading(this);
    }

    /** The devices this slot owns, in the order given to {@link EnergyMeter#slot}. */
    public List<GpuDevice> devices() {
        return meters.stream().map(DeviceMeter::device).toList();
    }

    /** The slot's name, as given to {@link EnergyMeter#slot}. */
    public String name() {
        return name;
    }

    List<DeviceMeter> meters() {
        return meters;
    }

    Account idleAccount() {
        return idle;
    }

    RunEnergy run() {
        return run;
    }

    void run(RunEnergy run) {
        this.run = run;
    }

    /** Who is charged this slot's share of CPU and RAM now. */
    Account owner() {
        return run == null ? idle : run.account();
    }

    /** Who is charged {@code device} now. */
    Account ownerOf(DeviceMeter device) {
        return run != null && run.holds(device) ? run.account() : idle;
    }
}
