package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndWaitTest {

    @Test
    void withThePollThreadRunningEndWaitsForTheSampleHalfASecondPastIt() throws Exception {
        Rig rig = new Rig();
        rig.options = new EnergyOptions(Duration.ofMillis(1), null, 0.3725, null, null, null);
        FakeNvml.Device gpu = rig.nvml.add("NVIDIA H100 80GB HBM3", "GPU-aaaa").watts(100);
        gpu.counterFailure = new NvmlException(NvmlException.NOT_SUPPORTED, "Not Supported");
        try (EnergyMeter meter = rig.meter()) {
            RunEnergy run = meter.slot("w0", List.of(0)).begin("run-1", 1);
            meter.startPolling();
            rig.clock.at(3.0);
            CompletableFuture<EnergyReading> ended = CompletableFuture.supplyAsync(run::end);
            // Polled closely: end() waits 1.5 s of real time for the sample before it holds the last reading.
            await().atMost(5, TimeUnit.SECONDS)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(5))
                    .until(meter::awaitingSamples);
            gpu.watts(400);
            rig.clock.at(3.6);

            ComponentEnergy energy = Rig.only(ended.get(5, TimeUnit.SECONDS), Component.GPU);

            // [0.5, 3.5] on the curve: 100 W to 3.0 s, then the line to 400 W at 3.6 s (350 W at 3.5 s).
            assertThat(energy.joules()).isCloseTo(362.5, within(1e-9));
            assertThat(energy.detail()).doesNotContain("held");
        }
    }
}
