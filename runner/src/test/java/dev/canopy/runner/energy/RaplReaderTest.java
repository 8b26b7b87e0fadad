package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaplReaderTest {

    private static final long MAX = 262_143_328_850L;

    @TempDir
    Path root;

    private void zone(String dir, String name, long microjoules) throws IOException {
        Path zone = Files.createDirectories(root.resolve(dir));
        Files.writeString(zone.resolve("name"), name + "\n");
        Files.writeString(zone.resolve("max_energy_range_uj"), MAX + "\n");
        Files.writeString(zone.resolve("energy_uj"), microjoules + "\n");
    }

    @Test
    void sumsThePackageZonesAndIgnoresSubzonesAndPsys() throws IOException {
        zone("intel-rapl:0", "package-0", 1_000_000);
        zone("intel-rapl:0:0", "core", 500_000);
        zone("intel-rapl:0:1", "dram", 200_000);
        zone("intel-rapl:1", "package-1", 7_000_000);
        zone("intel-rapl:2", "psys", 9_000_000);
        RaplReader rapl = RaplReader.open(root);
        zone("intel-rapl:0", "package-0", 6_000_000);
        zone("intel-rapl:0:0", "core", 90_500_000);
        zone("intel-rapl:0:1", "dram", 80_200_000);
        zone("intel-rapl:1", "package-1", 10_000_000);
        zone("intel-rapl:2", "psys", 99_000_000);

        assertThat(rapl.intervalJoules(1, 0, 0)).isEqualTo(8.0);
        assertThat(rapl.description())
                .isEqualTo("package zones package-0 (intel-rapl:0), package-1 (intel-rapl:1), energy_uj deltas");
    }

    @Test
    void aCounterThatWentBackwardsWrappedAtItsRange() throws IOException {
        zone("intel-rapl:0", "package-0", MAX - 1_000_000);
        RaplReader rapl = RaplReader.open(root);
        zone("intel-rapl:0", "package-0", 2_000_000);

        assertThat(rapl.intervalJoules(1, 0, 0)).isEqualTo(3.0);
    }

    @Test
    void usesPsysOnlyWithoutPackageZones() throws IOException {
        zone("intel-rapl:0", "psys", 1_000_000);
        RaplReader rapl = RaplReader.open(root);
        zone("intel-rapl:0", "psys", 4_500_000);

        assertThat(rapl.intervalJoules(1, 0, 0)).isEqualTo(3.5);
    }

    @Test
    void saysWhyRaplCannotBeUsed() throws IOException {
        assertThatThrownBy(() -> RaplReader.open(root.resolve("absent")))
                .hasMessage("no RAPL: " + root.resolve("absent") + " is absent");
        assertThatThrownBy(() -> RaplReader.open(root)).hasMessage("no RAPL: no package or psys zone under " + root);
        Files.createDirectories(root.resolve("intel-rapl:0/energy_uj"));
        Files.writeString(root.resolve("intel-rapl:0/name"), "package-0\n");
        Files.writeString(root.resolve("intel-rapl:0/max_energy_range_uj"), MAX + "\n");
        assertThatThrownBy(() -> RaplReader.open(root))
                .hasMessageStartingWith("RAPL not readable: " + root.resolve("intel-rapl:0/energy_uj"));
    }

    @Test
    void withoutRaplTheCpuIsModelledAndSaysWhy() {
        EnergyOptions options =
                new EnergyOptions(EnergyOptions.defaults().poll(), null, 0.3725, null, root.resolve("powercap"), null);

        CpuEnergySource cpu = CpuEnergySource.detect(options, new FakeProc());

        assertThat(cpu.method()).isEqualTo(Method.MODEL);
        assertThat(cpu.description())
                .isEqualTo("AMD EPYC not in the TDP table: 4 W per thread x 2 threads (no RAPL: "
                        + root.resolve("powercap") + " is absent)");
    }

    @Test
    void withRaplTheCpuIsMeasured() throws IOException {
        zone("intel-rapl:0", "package-0", 1_000_000);
        EnergyOptions options = new EnergyOptions(EnergyOptions.defaults().poll(), null, 0.3725, null, root, null);

        assertThat(CpuEnergySource.detect(options, new FakeProc()).method()).isEqualTo(Method.RAPL);
    }
}
