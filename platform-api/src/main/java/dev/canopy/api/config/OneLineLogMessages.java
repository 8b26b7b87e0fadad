package dev.canopy.api.config;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps every log message on one line: line breaks and other control characters in a message are written as
 * {@code \n}, {@code \r} or {@code \u001b}. Messages carry text that clients chose (a run's or a token's name, a
 * runner's failure reason), which could otherwise forge whole log lines or send escape sequences to a terminal. Stack
 * traces are not part of the message and keep their lines.
 */
@LoggingFilter(name = "one-line-messages")
public final class OneLineLogMessages implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String message = ext.getFormattedMessage();
            if (message != null && message.chars().anyMatch(OneLineLogMessages::escaped)) {
                ext.setMessage(escape(message), ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        }
        return true;
    }

    static String escape(String message) {
        StringBuilder out = new StringBuilder(message.length() + 16);
        message.chars().forEach(c -> {
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (escaped(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    /** Control characters but the tab, and the Unicode line and paragraph separators. */
    private static boolean escaped(int c) {
        return (Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029';
    }
}
