package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.EnergyOptions;
import dev.canopy.runner.energy.RunEnergy;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a runner's heartbeat says it holds. */
class WorkerLoopTest {

    @Test
    void aClaimedAttemptStillBeingPreparedIsHeldSoThatItsLeaseIsRenewed() {
        UUID run = UUID.randomUUID();
        Protocol.Assignment claimed =
                new Protocol.Assignment(run, 2, "run", "tabular-classification", Map.of(), 0, null, null);

        assertThat(HeldAttempts.of(null, claimed, null)).containsExactly(new Protocol.Held(run, 2, null, null));
        assertThat(HeldAttempts.of(null, null, null)).isEmpty();
    }

    /** Its energy goes with it once metered: a preparation that fails has reported its minutes. */
    @Test
    void aClaimedAttemptStillBeingPreparedReportsItsEnergySoFar() {
        UUID run = UUID.randomUUID();
        Protocol.Assignment claimed =
                new Protocol.Assignment(run, 1, "run", "tabular-classification", Map.of(), 0, null, null);
        try (EnergyMeter meter = EnergyMeter.start(EnergyOptions.defaults())) {
            RunEnergy energy = meter.slot("test", List.of()).begin(run + "#1", 0);

            List<Protocol.Held> held = HeldAttempts.of(null, claimed, energy);

            assertThat(held).hasSize(1);
            assertThat(held.get(0).energy()).isNotNull();
            assertThat(held.get(0).energy().components())
                    .extracting(Protocol.EnergyPart::component)
                    .contains("CPU", "RAM");
        }
    }
}
