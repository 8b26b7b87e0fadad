package dev.canopy.runner.energy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuTdpTableTest {

    private static final CpuTdpTable TABLE = CpuTdpTable.bundled();

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz | Intel Xeon Gold 6126 | 125.0",
                "AMD EPYC 7282 16-Core Processor | AMD EPYC 7282 | 120.0",
                "AMD EPYC 7763 64-Core Processor | AMD EPYC 7763 | 280.0",
                "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz | Intel Core i7-8700 | 65.0",
                "AMD Ryzen 7 5800X 8-Core Processor | AMD Ryzen 7 5800X | 105.0",
                "13th Gen Intel(R) Core(TM) i9-13900K | Intel Core i9-13900K | 125.0",
                "Intel(R) Xeon(R) Platinum 8480+ | Intel Xeon Platinum 8480+ | 350.0",
            })
    void matchesModelNamesAsLinuxReportsThem(String model, String entry, double watts) {
        assertThat(TABLE.match(model)).hasValueSatisfying(e -> {
            assertThat(e.name()).isEqualTo(entry);
            assertThat(e.watts()).isEqualTo(watts);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"AMD EPYC", "Intel(R) Xeon(R) Processor", "QEMU Virtual CPU version 2.5+", "unknown"})
    void namesWithoutAModelNumberMatchNothing(String model) {
        assertThat(TABLE.match(model)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Intel(R) Xeon(R) Gold 6126 CPU @ 2.60GHz | intel xeon gold 6126",
                "AMD Ryzen 7 5700G with Radeon Graphics | amd ryzen 7 5700g",
                "AMD Ryzen 5 3600 6-Core Processor | amd ryzen 5 3600",
            })
    void normalisesAwayTrademarksClockSpeedsAndCoreCounts(String name, String tokens) {
        assertThat(String.join(" ", CpuTdpTable.normalise(name))).isEqualTo(tokens);
    }
}
