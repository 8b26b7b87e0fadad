package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;

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

        assertThat(WorkerLoop.held(null, claimed)).containsExactly(new Protocol.Held(run, 2, null, null));
        assertThat(WorkerLoop.held(null, null)).isEmpty();
    }
}
