package dev.canopy.api.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.api.endpoint.ServingEnergyLedger.Charged;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the sums of several control planes make one figure per 1,000 predictions. */
class ServingEnergyLedgerTest {

    @Test
    void planesInOneZoneKeepItsPueAndZone() {
        ServingEnergy energy = ServingEnergyLedger.summed(
                List.of(
                        new Charged(2.0, 1_000, 0.004, 0.002, 1.2, "FRA"),
                        new Charged(6.0, 3_000, 0.012, 0.006, 1.2, "FRA")),
                "here",
                500);

        assertThat(energy.kWh()).isCloseTo(0.004, within(1e-15));
        assertThat(energy.kgCo2e()).isCloseTo(0.002, within(1e-15));
        assertThat(energy.pue()).isEqualTo(1.2);
        assertThat(energy.zone()).isEqualTo("FRA");
        assertThat(energy.gCo2ePerKwh()).isCloseTo(500, within(1e-9));
        assertThat(energy.controlPlanes()).isEqualTo(2);
        assertThat(energy.detail())
                .contains("8.000 s over 4000 predictions, on 2 control planes")
                .endsWith("here");
    }

    @Test
    void planesInDifferentZonesShowTheIntensityTheirSumsImply() {
        // 1,000 predictions for 0.010 kWh at 50 g/kWh, and 1,000 for 0.030 kWh at 700 g/kWh.
        ServingEnergy energy = ServingEnergyLedger.summed(
                List.of(
                        new Charged(1.0, 1_000, 0.010, 0.0005, 1.1, "FRA"),
                        new Charged(3.0, 1_000, 0.030, 0.021, 1.4, "POL")),
                "here",
                475);

        assertThat(energy.kWh()).isCloseTo(0.020, within(1e-15));
        assertThat(energy.kgCo2e()).isCloseTo(0.01075, within(1e-15));
        assertThat(energy.pue()).isNull();
        assertThat(energy.zone()).isNull();
        assertThat(energy.gCo2ePerKwh()).isCloseTo(537.5, within(1e-9));
    }

    /** A plane whose requests all failed spent CPU time on the version all the same; one that did nothing is left out. */
    @Test
    void aPlaneWithCpuTimeButNoPredictionCountsAndOneWithNeitherDoesNot() {
        ServingEnergy energy = ServingEnergyLedger.summed(
                List.of(
                        new Charged(2.0, 1_000, 0.004, 0.002, 1.2, "FRA"),
                        new Charged(1.0, 0, 0.002, 0.001, 1.2, "FRA"),
                        new Charged(0, 0, 0, 0, 1.2, "FRA")),
                "here",
                500);

        assertThat(energy.kWh()).isCloseTo(0.006, within(1e-15));
        assertThat(energy.controlPlanes()).isEqualTo(2);
        assertThat(energy.detail()).contains("3.000 s over 1000 predictions, on 2 control planes");
        // No prediction anywhere: no figure per 1,000 to give.
        assertThat(ServingEnergyLedger.summed(List.of(new Charged(1.0, 0, 0.002, 0.001, 1.2, "FRA")), "here", 500))
                .isNull();
    }

    @Test
    void withNoEnergyCountedTheGivenIntensityStandsIn() {
        ServingEnergy energy = ServingEnergyLedger.summed(List.of(new Charged(0, 10, 0, 0, 1.2, "FRA")), "here", 56);

        assertThat(energy.kWh()).isZero();
        assertThat(energy.gCo2ePerKwh()).isEqualTo(56);
    }
}
