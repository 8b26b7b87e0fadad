package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.runner.worker.Protocol.Fail;
import dev.canopy.runner.worker.Protocol.Stopped;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void aFailureReasonKeepsWholeCharactersOnlySoThatTheControlPlaneTakesIt() {
        // A recipe that cut its message at 40 characters, through an emoji.
        String cut = "label 'a very long label with an emoji \uD83D";

        assertThat(new Fail(1, cut, null).reason()).isEqualTo("label 'a very long label with an emoji \uFFFD");
        assertThat(new Fail(1, "\uDE00 and \uD83D\uDE00", null).reason()).isEqualTo("\uFFFD and \uD83D\uDE00");
        assertThat(new Stopped(1, "stopped \uD800", null).reason()).isEqualTo("stopped \uFFFD");
        String whole = "accuracy \uD83D\uDE00 fine";
        assertThat(new Fail(1, whole, null).reason()).isSameAs(whole);
    }

    @Test
    void aLongReasonIsCutBetweenCharacters() {
        String reason = "x".repeat(Fail.MAX_REASON - 11) + "\uD83D\uDE00" + "y".repeat(100);

        String sent = new Fail(1, reason, null).reason();

        assertThat(sent).hasSizeLessThanOrEqualTo(Fail.MAX_REASON).endsWith("x ... (cut)");
    }
}
