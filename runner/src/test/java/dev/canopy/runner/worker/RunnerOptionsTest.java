package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerOptionsTest {

    @Test
    void takesTheServerAndTokenFromArgumentsOrTheEnvironment() {
        RunnerOptions fromArgs = RunnerOptions.parse(
                new String[] {"--server", "http://control-plane:8080", "--token", "cnp_x", "--name", "r1"}, Map.of());
        RunnerOptions fromEnv = RunnerOptions.parse(
                new String[0], Map.of("CANOPY_SERVER", "https://canopy.example.com", "CANOPY_TOKEN", "cnp_y"));

        assertThat(fromArgs.server()).isEqualTo(URI.create("http://control-plane:8080"));
        assertThat(fromArgs.name()).isEqualTo("r1");
        assertThat(fromEnv.server()).isEqualTo(URI.create("https://canopy.example.com"));
        assertThat(fromEnv.token()).isEqualTo("cnp_y");
    }

    @Test
    void refusesAServerThatIsNotAnHttpUrlAtOnce() {
        for (String bad :
                new String[] {"localhost:8080", "control-plane", "ftp://host/", "http:///nohost", "http://a b"}) {
            assertThatThrownBy(() -> RunnerOptions.parse(new String[] {"--server", bad, "--token", "t"}, Map.of()))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--server ");
        }
        assertThatThrownBy(() -> RunnerOptions.parse(new String[] {"--token", "t"}, Map.of()))
                .hasMessageContaining("--server URL and --token TOKEN");
    }

    @Test
    void refusesAnUnknownOptionOrANumberThatIsNoneNamingIt() {
        String[] base = {"--server", "http://control-plane:8080", "--token", "t"};
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--thread", "1"), Map.of()))
                .hasMessageStartingWith("Unknown option '--thread'; the options are --cpu-watts, ")
                .hasMessageContaining("--threads");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--gpus", "two"), Map.of()))
                .hasMessage("--gpus must be a number, not 'two'");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--gpu-ids", "0,x"), Map.of()))
                .hasMessage("--gpu-ids must be a number, not 'x'");
        assertThatThrownBy(() -> RunnerOptions.parse(base, Map.of("CANOPY_ENERGY_POLL_MS", "1s")))
                .hasMessage("--energy-poll-ms must be a number, not '1s'");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--threads", "0"), Map.of()))
                .hasMessage("--threads must be at least 1, not 0");
    }

    @Test
    void takesPyTorchsThreadCountFromTheOptionOrTheEnvironment() {
        String[] base = {"--server", "http://control-plane:8080", "--token", "t"};

        assertThat(RunnerOptions.parse(with(base, "--threads", "3"), Map.of()).threads())
                .isEqualTo(3);
        assertThat(RunnerOptions.parse(base, Map.of("CANOPY_RUNNER_THREADS", "1"))
                        .threads())
                .isEqualTo(1);
        assertThat(RunnerOptions.parse(base, Map.of()).threads()).isNull();
    }

    @Test
    void namesARunnerAfterItsHostAndItsOwnGpusWhenItIsNotNamed() {
        String[] base = {"--server", "http://control-plane:8080", "--token", "t"};

        assertThat(RunnerOptions.parse(base, Map.of()).name()).isEqualTo(MachineInfo.hostName());
        assertThat(RunnerOptions.parse(with(base, "--gpu-ids", "2, 3"), Map.of())
                        .name())
                .isEqualTo(MachineInfo.hostName() + "-gpu2-3");
        assertThat(RunnerOptions.parse(with(base, "--gpu-ids", "1"), Map.of("CANOPY_RUNNER_NAME", "left"))
                        .name())
                .isEqualTo("left");
    }

    private static String[] with(String[] base, String option, String value) {
        String[] args = Arrays.copyOf(base, base.length + 2);
        args[base.length] = option;
        args[base.length + 1] = value;
        return args;
    }

    @Test
    void keepsAPathPrefixOfTheServerForAReverseProxy() {
        assertThat(new ControlPlane(URI.create("https://gateway.example.com/canopy/"), "t").base())
                .isEqualTo("https://gateway.example.com/canopy");
        assertThat(new ControlPlane(URI.create("http://control-plane:8080"), "t").base())
                .isEqualTo("http://control-plane:8080");
    }
}
