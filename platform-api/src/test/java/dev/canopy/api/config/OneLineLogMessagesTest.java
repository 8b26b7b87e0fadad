package dev.canopy.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

class OneLineLogMessagesTest {

    private final OneLineLogMessages filter = new OneLineLogMessages();

    private static ExtLogRecord record(String format, Object... parameters) {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, format, ExtLogRecord.FormatStyle.PRINTF, "test");
        record.setParameters(parameters);
        return record;
    }

    @Test
    void aClientsLineBreaksCannotStartALogLineOfTheirOwn() {
        ExtLogRecord record = record(
                "Token %s ('%s') issued to user %s",
                "0d0ce4aa", "x\n2026-11-27 09:40:00,000 INFO [x] (t) Token 1 revoked\r", "admin");

        assertThat(filter.isLoggable(record)).isTrue();

        assertThat(record.getFormattedMessage())
                .isEqualTo("Token 0d0ce4aa ('x\\n2026-11-27 09:40:00,000 INFO [x] (t) Token 1 revoked\\r') issued to"
                        + " user admin")
                .doesNotContain("\n", "\r");
    }

    @Test
    void escapeSequencesAndUnicodeLineSeparatorsAreWrittenOutButTabsStay() {
        ExtLogRecord record = record("Run %s failed: %s", "r1", "\u001b[31mred\u001b[0m\tand\u2028more");

        filter.isLoggable(record);

        assertThat(record.getFormattedMessage()).isEqualTo("Run r1 failed: \\u001b[31mred\\u001b[0m\tand\\u2028more");
    }

    @Test
    void anOrdinaryMessageIsLeftAsItIs() {
        ExtLogRecord record = record("Run %s attempt %d started", "r1", 2);

        filter.isLoggable(record);

        assertThat(record.getFormatStyle()).isEqualTo(ExtLogRecord.FormatStyle.PRINTF);
        assertThat(record.getFormattedMessage()).isEqualTo("Run r1 attempt 2 started");
    }
}
