package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JnaNvmlTest {

    @Test
    void aMissingLibraryIsAReasonNotAnError() {
        NvmlAccess access = JnaNvml.load(Path.of("/nonexistent/libnvidia-ml.so.1"));
        assumeTrue(access.nvml().isEmpty(), "this machine has NVML");

        assertThat(access.unavailableReason())
                .startsWith("NVML library not found; tried /nonexistent/libnvidia-ml.so.1 (absent), nvidia-ml (")
                .contains("/usr/lib/wsl/lib/libnvidia-ml.so.1");
    }

    @Test
    void theMeterStartsWithWhateverThisMachineHas() {
        EnergyOptions options = EnergyOptions.defaults();
        try (EnergyMeter meter = EnergyMeter.start(options)) {
            assertThat(meter.methods()).containsKeys(Component.CPU, Component.RAM);
            assertThat(meter.pollThreadId()).isPresent();
            RunEnergy run = meter.slot("w0", java.util.List.of()).begin("run-1", 0);
            assertThat(run.end().components())
                    .extracting(ComponentEnergy::component)
                    .containsExactly(Component.CPU, Component.RAM);
        }
    }
}
