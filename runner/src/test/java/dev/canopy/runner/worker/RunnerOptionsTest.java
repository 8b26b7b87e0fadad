package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
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
    void keepsAPathPrefixOfTheServerForAReverseProxy() {
        assertThat(new ControlPlane(URI.create("https://gateway.example.com/canopy/"), "t").base())
                .isEqualTo("https://gateway.example.com/canopy");
        assertThat(new ControlPlane(URI.create("http://control-plane:8080"), "t").base())
                .isEqualTo("http://control-plane:8080");
    }
}
