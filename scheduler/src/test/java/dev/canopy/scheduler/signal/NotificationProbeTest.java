package dev.canopy.scheduler.signal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NotificationProbeTest {

    private static final long SECOND = 1_000_000_000L;

    private final NotificationProbe probe = new NotificationProbe(5 * SECOND);

    @Test
    void aConnectionIsVerifiedOnlyOnceItsOwnProbeComesBack() {
        String payload = probe.send(0);

        assertThat(probe.verified()).isFalse();
        assertThat(probe.send(SECOND)).as("one probe at a time").isNull();
        assertThat(probe.arrived("someone else's")).isFalse();
        assertThat(probe.verified()).isFalse();
        assertThat(probe.arrived(payload)).as("verified now").isTrue();
        assertThat(probe.verified()).isTrue();
        assertThat(probe.overdue(60 * SECOND)).as("nothing on its way").isFalse();
    }

    @Test
    void aProbeThatDoesNotComeBackInTimeUnverifiesTheConnectionOnce() {
        probe.arrived(probe.send(0));
        String late = probe.send(10 * SECOND);

        assertThat(probe.overdue(15 * SECOND)).as("within its 5 s").isFalse();
        assertThat(probe.overdue(15 * SECOND + 1)).isTrue();
        assertThat(probe.verified()).isFalse();
        assertThat(probe.overdue(30 * SECOND)).as("once per probe").isFalse();
        assertThat(probe.arrived(late)).as("too late counts for nothing").isFalse();
        assertThat(probe.verified()).isFalse();
    }

    @Test
    void theNextProbeThatComesBackVerifiesItAgain() {
        probe.send(0);
        probe.overdue(6 * SECOND);
        String next = probe.send(10 * SECOND);

        assertThat(next).isNotNull();
        assertThat(probe.arrived(next)).isTrue();
        assertThat(probe.verified()).isTrue();
        assertThat(probe.arrived(next)).as("once").isFalse();
    }

    @Test
    void aConnectionWhoseServerSessionChangedIsNeverTrustedAgain() {
        probe.sessionIs(4711);
        probe.arrived(probe.send(0));
        String onItsWay = probe.send(10 * SECOND);

        assertThat(probe.sessionIs(4711)).isFalse();
        assertThat(probe.verified()).isTrue();
        assertThat(probe.sessionIs(4712)).as("moved").isTrue();
        assertThat(probe.verified()).isFalse();
        assertThat(probe.sessionIs(4713)).as("said once").isFalse();
        assertThat(probe.arrived(onItsWay)).isFalse();
        assertThat(probe.send(20 * SECOND)).isNull();
        assertThat(probe.verified()).isFalse();
    }

    @Test
    void aProbeThatCouldNotBeSentMakesWayForTheNext() {
        probe.arrived(probe.send(0));
        probe.send(10 * SECOND);
        probe.withdraw();

        assertThat(probe.verified()).as("unchanged").isTrue();
        assertThat(probe.overdue(60 * SECOND)).isFalse();
        assertThat(probe.send(60 * SECOND)).isNotNull();
    }
}
