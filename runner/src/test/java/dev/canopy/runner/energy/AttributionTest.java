package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AttributionTest {

    private final Rig rig = new Rig();
    private FakeNvml.Device gpu0;
    private FakeNvml.Device gpu1;
    private EnergyMeter meter;

    /** GPU 0 draws 100 W, GPU 1 200 W; the machine is half busy, this process using half of that. */
    @BeforeEach
    void machine() {
        gpu0 = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(100);
        gpu1 = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-bbbb").watts(200);
        rig.proc.rssBytes = 1_000_000_000L;
        meter = rig.meter();
    }

    private void until(double seconds) {
        rig.tickUntil(meter, seconds, () -> {
            gpu0.consume(10);
            gpu1.consume(20);
            rig.proc.run(0.1, 0.5, 0.05);
        });
    }

    /**
     * The process's CPU and RAM go to the slots holding a run, halved while both do; a slot waiting its turn (an
     * embedded runner while the other trains) is charged none of it, which went to its idle energy, counted in no
     * team's figures.
     */
    @Test
    void twoRunsOnTwoSlotsAreChargedOnlyTheirOwnDevicesAndTheProcessAmongThem() {
        Slot a = meter.slot("a", List.of(0));
        Slot b = meter.slot("b", List.of(1));
        until(1);
        RunEnergy first = a.begin("run-a", 1);
        until(2);
        RunEnergy second = b.begin("run-b", 1);
        until(3);
        EnergyReading firstEnd = first.end();
        until(4);
        EnergyReading secondEnd = second.end();

        // CPU: 100 W x (0.1 + 0.9 x 0.5) = 55 W for the machine, 27.5 W for the process: all of it to the one run
        // in [1, 2] and [3, 4], half to each in [2, 3], half to each idle slot in [0, 1].
        // RAM: 0.3725 W/GB x 1 GB = 0.3725 W for the process, split the same way.
        assertThat(joules(firstEnd)).containsExactly(200.0, null, 41.25, 0.55875);
        assertThat(Rig.gpu(firstEnd, 0)).hasSize(1);
        assertThat(Rig.gpu(firstEnd, 1)).isEmpty();
        assertThat(joules(secondEnd)).containsExactly(null, 400.0, 41.25, 0.55875);
        assertThat(Rig.gpu(secondEnd, 0)).isEmpty();
        // Idle: slot a for [0, 1] and [3, 4], slot b for [0, 2]; only [0, 1] had no run, so only it adds CPU and RAM.
        assertThat(joules(a.idle())).containsExactly(200.0, null, 13.75, 0.18625);
        assertThat(joules(b.idle())).containsExactly(null, 400.0, 13.75, 0.18625);
        assertThat(a.idle().seconds()).isEqualTo(2.0);
    }

    @Test
    void idleBetweenRunsGoesToTheSlotNotToTheRuns() {
        Slot slot = meter.slot("a", List.of(0));
        RunEnergy first = slot.begin("run-1", 1);
        until(1);
        EnergyReading firstEnd = first.end();
        until(3);
        RunEnergy second = slot.begin("run-2", 1);
        until(4);
        EnergyReading secondEnd = second.end();

        assertThat(Rig.only(firstEnd, Component.GPU).joules()).isEqualTo(100.0);
        assertThat(Rig.only(secondEnd, Component.GPU).joules()).isEqualTo(100.0);
        assertThat(Rig.only(slot.idle(), Component.GPU).joules()).isEqualTo(200.0);
        assertThat(Rig.only(slot.idle(), Component.CPU).joules()).isCloseTo(55.0, within(1e-9));
        assertThat(slot.idle().seconds()).isEqualTo(2.0);
        assertThat(secondEnd.since()).isEqualTo(FakeClock.EPOCH.plusSeconds(3));
        assertThat(secondEnd.at()).isEqualTo(FakeClock.EPOCH.plusSeconds(4));
    }

    @Test
    void aRunsReadingGrowsWhileItRunsAndItsEndIsFinalAndIdempotent() {
        Slot slot = meter.slot("a", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        until(1);
        EnergyReading early = run.reading();
        until(2);
        EnergyReading later = run.reading();
        EnergyReading end = run.end();
        until(3);

        assertThat(Rig.only(early, Component.GPU).joules()).isEqualTo(100.0);
        assertThat(Rig.only(later, Component.GPU).joules()).isEqualTo(200.0);
        assertThat(later.seconds()).isEqualTo(2.0);
        assertThat(end).isEqualTo(later);
        assertThat(run.end()).isSameAs(end);
        assertThat(run.reading()).isSameAs(end);
    }

    @Test
    void runsAndIdlePlusNothingElseAddUpToWhatWasRead() {
        Slot a = meter.slot("a", List.of(0));
        Slot b = meter.slot("b", List.of(1));
        List<EnergyReading> ended = new ArrayList<>();
        RunEnergy first = a.begin("run-1", 1);
        until(0.7);
        RunEnergy second = b.begin("run-2", 0);
        until(1.3);
        ended.add(first.end());
        until(2.1);
        RunEnergy third = a.begin("run-3", 1);
        until(2.6);
        ended.add(second.end());
        ended.add(third.end());
        until(3.0);

        List<EnergyReading> all = new ArrayList<>(ended);
        all.add(a.idle());
        all.add(b.idle());
        EnergyReading totals = meter.totals();
        for (ComponentEnergy total : totals.components()) {
            double charged = all.stream()
                    .flatMap(r -> r.components().stream())
                    .filter(c -> c.component() == total.component() && same(c.device(), total.device()))
                    .mapToDouble(ComponentEnergy::joules)
                    .sum();
            assertThat(charged).as(total.toString()).isCloseTo(total.joules(), within(1e-9));
        }
        assertThat(totals.components()).extracting(c -> round(c.joules())).containsExactly(300.0, 600.0, 82.5, 1.1175);
    }

    @Test
    void refusesASecondRunOnASlotAndMoreGpusThanItOwns() {
        Slot slot = meter.slot("a", List.of(0));
        slot.begin("run-1", 1);

        assertThatThrownBy(() -> slot.begin("run-2", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("slot a already meters run run-1");
        assertThatThrownBy(() -> meter.slot("b", List.of(1)).begin("run-3", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("run run-3 wants 2 GPUs; slot b has 1");
        assertThatThrownBy(() -> meter.slot("c", List.of(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CUDA device 0 already belongs to a slot");
        assertThatThrownBy(() -> meter.slot("d", List.of(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no CUDA device 2: this process sees 2");
    }

    @Test
    void closeSettlesAndShutsNvmlDown() {
        Slot slot = meter.slot("a", List.of(0));
        RunEnergy run = slot.begin("run-1", 1);
        until(1);
        meter.close();
        until(2);

        assertThat(Rig.only(run.end(), Component.GPU).joules()).isEqualTo(100.0);
        assertThat(rig.nvml.shutDown).isTrue();
        assertThatThrownBy(() -> slot.begin("run-2", 1)).isInstanceOf(IllegalStateException.class);
    }

    private static List<Double> joules(EnergyReading reading) {
        return Stream.of(
                        Rig.gpu(reading, 0).stream().findFirst().orElse(null),
                        Rig.gpu(reading, 1).stream().findFirst().orElse(null),
                        Rig.only(reading, Component.CPU),
                        Rig.only(reading, Component.RAM))
                .map(c -> c == null ? null : round(c.joules()))
                .toList();
    }

    /** Sums of many small intervals differ from the exact value in the last bits only. */
    private static double round(double joules) {
        return Math.round(joules * 1e9) / 1e9;
    }

    private static boolean same(Integer a, Integer b) {
        return a == null ? b == null : a.equals(b);
    }
}
