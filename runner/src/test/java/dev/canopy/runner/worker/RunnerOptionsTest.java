package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        // Printed or logged whole, the options do not show the token.
        assertThat(fromArgs.toString()).doesNotContain("cnp_x").contains("token=(masked)", "name=r1");
    }

    @Test
    void readsTheTokenFromAFileNamedByOptionOrEnvironment(@TempDir Path temp) throws Exception {
        Path file = Files.writeString(temp.resolve("token"), "cnp_fromfile\n");
        String[] server = {"--server", "https://canopy.example.com"};

        assertThat(RunnerOptions.parse(with(server, "--token-file", file.toString()), Map.of())
                        .token())
                .isEqualTo("cnp_fromfile");
        assertThat(RunnerOptions.parse(server, Map.of("CANOPY_TOKEN_FILE", file.toString()))
                        .token())
                .isEqualTo("cnp_fromfile");
        // The command line first, then CANOPY_TOKEN, then CANOPY_TOKEN_FILE.
        assertThat(RunnerOptions.parse(server, Map.of("CANOPY_TOKEN", "cnp_env", "CANOPY_TOKEN_FILE", file.toString()))
                        .token())
                .isEqualTo("cnp_env");
        String[] both = {"--server", "https://h", "--token", "t", "--token-file", file.toString()};
        assertThatThrownBy(() -> RunnerOptions.parse(both, Map.of()))
                .hasMessage("Give --token or --token-file, not both");
        Path empty = Files.writeString(temp.resolve("empty"), " \n");
        assertThatThrownBy(() -> RunnerOptions.parse(with(server, "--token-file", empty.toString()), Map.of()))
                .hasMessage("--token-file " + empty + " is empty");
        String missing = temp.resolve("missing").toString();
        assertThatThrownBy(() -> RunnerOptions.parse(server, Map.of("CANOPY_TOKEN_FILE", missing)))
                .hasMessageStartingWith("CANOPY_TOKEN_FILE " + missing + " cannot be read: ");
    }

    @Test
    void namesWhatExposesTheToken() {
        String[] onCommandLine = {"--server", "http://localhost:8080", "--token", "t"};
        assertThat(RunnerOptions.tokenRisks(onCommandLine, URI.create("http://localhost:8080")))
                .singleElement()
                .asString()
                .contains("--token", "process list");
        assertThat(RunnerOptions.tokenRisks(new String[0], URI.create("http://control-plane:8080")))
                .singleElement()
                .asString()
                .contains("plain HTTP to another machine");
        for (String safe : new String[] {
            "https://control-plane:8080", "http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080"
        }) {
            assertThat(RunnerOptions.tokenRisks(new String[] {"--token-file", "f"}, URI.create(safe)))
                    .as(safe)
                    .isEmpty();
        }
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
                .hasMessageContaining("--server URL and --token TOKEN or --token-file PATH");
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
        // The energy options are named as the runner takes them, not as the meter's fields.
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--energy-poll-ms", "0"), Map.of()))
                .hasMessage("--energy-poll-ms must be 1 or more, not 0");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--energy-counter-ms", "-5"), Map.of()))
                .hasMessage("--energy-counter-ms must be 0 or more, not -5");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--cpu-watts", "-1"), Map.of()))
                .hasMessage("--cpu-watts must be a positive number, not -1.0");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--cpu-watts", "NaN"), Map.of()))
                .hasMessage("--cpu-watts must be a positive number, not NaN");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--pue", "0.5"), Map.of()))
                .hasMessage("--pue must be between 1.0 and 3.0 (a PUE), not 0.5");
        assertThat(RunnerOptions.parse(with(base, "--energy-counter-ms", "0"), Map.of())
                        .energy()
                        .counterPeriod())
                .isZero();
    }

    @Test
    void refusesGpuOptionsThatContradictThemselvesAndABlankName() {
        String[] base = {"--server", "http://control-plane:8080", "--token", "t"};
        assertThatThrownBy(() -> RunnerOptions.parse(with(with(base, "--gpus", "1"), "--gpu-ids", "0"), Map.of()))
                .hasMessageStartingWith("Give --gpus N (the first N GPUs) or --gpu-ids (which ones), not both");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--gpus", "-1"), Map.of()))
                .hasMessage("--gpus must not be negative, not -1");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--gpu-ids", "0,0"), Map.of()))
                .hasMessageStartingWith("--gpu-ids must be distinct device numbers from 0 on");
        assertThatThrownBy(() -> RunnerOptions.parse(with(base, "--name", " "), Map.of()))
                .hasMessage("--name must be 1-200 characters, not ' '");
        // GPUs the machine does not have: found once the engine is up, said plainly.
        RunnerOptions twoAndThree = RunnerOptions.parse(with(base, "--gpu-ids", "2,3"), Map.of());
        assertThatThrownBy(() -> twoAndThree.gpuSet(0))
                .hasMessageStartingWith("--gpu-ids names GPU 2, but the engine can use none (CPU natives");
        assertThat(twoAndThree.gpuSet(4)).containsExactly(2, 3);
    }

    @Test
    void refusesAWorkDirectoryItCannotWriteTo(@TempDir Path temp) throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "not a directory");

        assertThatThrownBy(() -> RunnerMain.usableWorkDir(file.resolve("work")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--work-dir " + file.resolve("work") + " cannot be used: ");
        RunnerMain.usableWorkDir(temp.resolve("fresh"));
        assertThat(temp.resolve("fresh")).isEmptyDirectory();
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

    /** Error messages go to the console and the system's log: a token given wrongly is not echoed in them. */
    @Test
    void aTokenGivenWronglyIsNotEchoedInTheError() {
        String secret = "cnp_NotToBeShown";
        for (String[] args : List.of(
                new String[] {"--server", "http://x", "--token=" + secret},
                new String[] {"--server", "http://x", "--token=" + secret, "x"},
                new String[] {"--server", "--token", secret},
                new String[] {"--server", "http://x", "--token-file", secret})) {
            assertThatThrownBy(() -> RunnerOptions.parse(args, Map.of()))
                    .as(String.join(" ", args))
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        }
        // Whatever option's value carried it, the message printed masks it.
        assertThatThrownBy(() -> RunnerOptions.parse(
                        new String[] {"--server", "http://x/" + secret + " y", "--token", "t"}, Map.of()))
                .satisfies(e -> assertThat(RunnerOptions.masked(e.getMessage()))
                        .doesNotContain(secret)
                        .contains("cnp_(masked)"));
    }
}
