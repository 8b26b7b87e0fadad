package dev.canopy.runner.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.runner.worker.Protocol.Complete;
import dev.canopy.runner.worker.Protocol.Fail;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    private final ObjectMapper json = Protocol.json();

    @Test
    void messagesAreSentWithWholeCharactersOnlySoThatTheControlPlaneTakesThem() throws Exception {
        // A recipe that cut its message at 40 characters, through an emoji.
        String cut = "label 'a very long label with an emoji \uD83D";

        JsonNode failed = sent(new Fail(1, cut, null));
        JsonNode completed =
                sent(new Complete(1, Map.of("accuracy", 0.9), List.of("\uDE00 and \uD83D\uDE00", "plain"), null));

        assertThat(failed.get("reason").asText()).isEqualTo("label 'a very long label with an emoji \uFFFD");
        assertThat(completed.get("notes").get(0).asText()).isEqualTo("\uFFFD and \uD83D\uDE00");
        assertThat(completed.get("notes").get(1).asText()).isEqualTo("plain");
        String whole = "accuracy \uD83D\uDE00 fine";
        assertThat(Protocol.wholeCharacters(whole)).isSameAs(whole);
    }

    @Test
    void aLongReasonIsCutBetweenCharacters() {
        String reason = "x".repeat(Fail.MAX_REASON - 11) + "\uD83D\uDE00" + "y".repeat(100);

        String sent = new Fail(1, reason, null).reason();

        assertThat(sent).hasSizeLessThanOrEqualTo(Fail.MAX_REASON).endsWith("x ... (cut)");
    }

    private JsonNode sent(Object message) throws Exception {
        return json.readTree(json.writeValueAsBytes(message));
    }
}
