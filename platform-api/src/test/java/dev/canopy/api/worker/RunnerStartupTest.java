package dev.canopy.api.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone runner's start, before it reaches a control plane. */
class RunnerStartupTest {

    @Test
    void aRunnerWhoseNativesDoNotLoadExitsWithStatus1AndSaysWhy(@TempDir Path natives) throws Exception {
        // A PYTORCH_LIBRARY_PATH whose libtorch is not a library: DJL fails to load it.
        Files.writeString(natives.resolve("libtorch.so"), "not a shared library");
        // Nothing listens on port 9: the runner must stop before it tries to register.
        try (RunnerProcess runner = RunnerProcess.start(
                URI.create("http://127.0.0.1:9"),
                "unused",
                "broken-natives",
                Map.of("PYTORCH_LIBRARY_PATH", natives.toString()))) {

            assertThat(runner.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(runner.process.exitValue()).isEqualTo(1);
            assertThat(runner.output())
                    .contains("Runner broken-natives stopped")
                    .contains(natives.toString())
                    .doesNotContain("Control plane not reachable");
        }
    }
}
