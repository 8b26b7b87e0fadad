package dev.canopy.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.formatters.PatternFormatter;
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
        // A right-to-left override would make the rest of the line read backwards.
        assertThat(OneLineLogMessages.escape("exe.\u202etxt")).isEqualTo("exe.\\u202etxt");
    }

    @Test
    void theTextOfALoggedExceptionAndItsCausesCannotStartALogLineEither() {
        IllegalStateException thrown = new IllegalStateException(
                "Could not register runner st\n2026-11-27 10:00:00,000 INFO  [x] forged",
                new IOException("value too long\r\nfor column"));
        ExtLogRecord record = record("Unexpected error %s", "c26a");
        record.setThrown(thrown);

        filter.isLoggable(record);
        String logged = new PatternFormatter("%s%n%e").format(record);

        assertThat(logged.lines()).first().isEqualTo("Unexpected error c26a");
        assertThat(logged.lines()).noneMatch(line -> line.startsWith("2026") || line.startsWith("for column"));
        assertThat(logged)
                .contains("java.lang.IllegalStateException: Could not register runner st\\n2026-11-27 10:00:00,000")
                .contains("Caused by: java.io.IOException: value too long\\r\\nfor column")
                .contains("at " + getClass().getName());
        assertThat(record.getThrown().getStackTrace()).isEqualTo(thrown.getStackTrace());
    }

    @Test
    void anExceptionWithNothingToEscapeIsLoggedAsItIs() {
        IllegalStateException thrown = new IllegalStateException("plain");
        ExtLogRecord record = record("Unexpected error %s", "c26a");
        record.setThrown(thrown);

        filter.isLoggable(record);

        assertThat(record.getThrown()).isSameAs(thrown);
    }

    @Test
    void anOrdinaryMessageIsLeftAsItIs() {
        ExtLogRecord record = record("Run %s attempt %d started", "r1", 2);

        filter.isLoggable(record);

        assertThat(record.getFormatStyle()).isEqualTo(ExtLogRecord.FormatStyle.PRINTF);
        assertThat(record.getFormattedMessage()).isEqualTo("Run r1 attempt 2 started");
    }
}
