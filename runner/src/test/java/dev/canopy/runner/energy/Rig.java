package dev.canopy.runner.energy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A meter over fakes: fake NVML, fake /proc, a fixed-power CPU model and a clock that moves when told. */
final class Rig {

    final FakeClock clock = new FakeClock();
    final FakeNvml nvml = new FakeNvml();
    final FakeProc proc = new FakeProc();
    final Map<String, String> env = new HashMap<>();
    NvmlAccess access = NvmlAccess.of(nvml);
    CpuEnergySource cpu = new CpuPowerModel(100, 2, "test CPU at 100 W");
    EnergyOptions options = EnergyOptions.defaults();

    EnergyMeter meter() {
        return EnergyMeter.create(access, cpu, proc, clock, options, env);
    }

    /**
     * Moves the clock in 100 ms steps from its time to {@code seconds}, letting {@code beforeEach} change the
     * fakes before each step's tick.
     */
    void tickUntil(EnergyMeter meter, double seconds, Runnable beforeEach) {
        long target = Math.round(seconds * 1e9);
        while (clock.nanos() < target) {
            clock.advance(Duration.ofMillis(100));
            beforeEach.run();
            meter.tick();
        }
    }

    static ComponentEnergy only(EnergyReading reading, Component component) {
        List<ComponentEnergy> matching = reading.components().stream()
                .filter(c -> c.component() == component)
                .toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + component + " entry in " + reading);
        }
        return matching.get(0);
    }

    static List<ComponentEnergy> gpu(EnergyReading reading, int device) {
        return reading.components().stream()
                .filter(c -> c.component() == Component.GPU
                        && Integer.valueOf(device).equals(c.device()))
                .toList();
    }
}
