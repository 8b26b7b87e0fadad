package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EngineSelfTestTest {

    @Test
    void passesOnTheCpuWithTheNativesFromMaven() {
        assertThatCode(() -> EngineSelfTest.run(List.of())).doesNotThrowAnyException();
    }

    @Test
    void refusesAGpuTheNativesCannotComputeOnAndSaysWhichBridgeAndLibtorchItHas() {
        // The CPU natives cannot place a tensor on CUDA device 0: the same failure, to the runner, as a libtorch
        // the bridge was not built for.
        assertThatThrownBy(() -> EngineSelfTest.run(List.of(0)))
                .isInstanceOf(EngineSelfTest.EngineUnusable.class)
                .hasMessageStartingWith("PyTorch cannot compute on gpu(0) (")
                .hasMessageContaining("Natives: libtorch in ")
                .hasMessageContaining(", taken to be PyTorch 2.7.1;")
                .hasMessageContaining("DJL's JNI bridge on the classpath is for PyTorch-DJL 2.7.1-0.36.0")
                .hasMessageEndingWith("(see the README's GPU section)");
    }
}
