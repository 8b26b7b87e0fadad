package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.runner.energy.EnergyMeter;
import dev.canopy.runner.energy.EnergyOptions;
import dev.canopy.runner.energy.RunEnergy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a runner's heartbeat says it holds. */
class WorkerLoopTest {

    private static final long HOUR = Duration.ofHours(1).toNanos();

    @Test
    void aClaimedAttemptStillBeingPreparedIsHeldSoThatItsLeaseIsRenewed() {
        UUID run = UUID.randomUUID();
        Protocol.Assignment claimed =
                new Protocol.Assignment(run, 2, "run", "tabular-classification", Map.of(), 0, null, null);

        assertThat(HeldAttempts.of(new ClaimedAttempt(claimed), HOUR))
                .containsExactly(new Protocol.Held(run, 2, null, null));
        assertThat(HeldAttempts.of(null, HOUR)).isEmpty();
    }

    /** Stalled past the preparation limit, it is no longer renewed: its lease expires and the run is requeued. */
    @Test
    void aPreparationPastItsLimitIsNoLongerHeld() {
        Protocol.Assignment claimed =
                new Protocol.Assignment(UUID.randomUUID(), 1, "run", "tabular-classification", Map.of(), 0, null, null);

        assertThat(HeldAttempts.of(new ClaimedAttempt(claimed), 0)).isEmpty();
    }

    /** What stops an attempt while its dataset downloads: a cancel, a lost lease, the runner's drain. */
    @Test
    void aCancelALostLeaseOrADrainStopsAPreparation() {
        Protocol.Assignment assignment =
                new Protocol.Assignment(UUID.randomUUID(), 1, "run", "tabular-classification", Map.of(), 0, null, null);
        ClaimedAttempt cancelled = new ClaimedAttempt(assignment);
        ClaimedAttempt lost = new ClaimedAttempt(assignment);
        ClaimedAttempt drained = new ClaimedAttempt(assignment);

        assertThat(cancelled.stopped()).isFalse();
        cancelled.cancel();
        lost.lose();
        drained.drain(System.nanoTime());

        assertThat(List.of(cancelled, lost, drained)).allMatch(ClaimedAttempt::stopped);
        // A drain's reports go on until its wait is over; a cancelled or lost attempt's need not.
        assertThat(drained.reportingMoot()).isFalse();
        assertThat(cancelled.reportingMoot()).isTrue();
        assertThat(lost.reportingMoot()).isTrue();
    }

    /** Its energy goes with it once metered: a preparation that fails has reported its minutes. */
    @Test
    void aClaimedAttemptStillBeingPreparedReportsItsEnergySoFar() {
        UUID run = UUID.randomUUID();
        Protocol.Assignment claimed =
                new Protocol.Assignment(run, 1, "run", "tabular-classification", Map.of(), 0, null, null);
        try (EnergyMeter meter = EnergyMeter.start(EnergyOptions.defaults())) {
            RunEnergy energy = meter.slot("test", List.of()).begin(run + "#1", 0);

            ClaimedAttempt claim = new ClaimedAttempt(claimed);
            claim.metered(energy);

            List<Protocol.Held> held = HeldAttempts.of(claim, HOUR);

            assertThat(held).hasSize(1);
            assertThat(held.get(0).energy()).isNotNull();
            assertThat(held.get(0).energy().components())
                    .extracting(Protocol.EnergyPart::component)
                    .contains("CPU", "RAM");
        }
    }
}
