package dev.canopy.api.config;

import io.quarkus.logging.LoggingFilter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps every log message on one line: line breaks and other control characters in a message are written as
 * {@code \n}, {@code \r} or {@code \u001b}. Messages carry text that clients chose (a run's or a token's name, a
 * runner's failure reason), which could otherwise forge whole log lines or send escape sequences to a terminal. The
 * same goes for the text of an exception logged with its stack trace (the message of each cause and suppressed
 * exception): the trace keeps its own lines, each frame on one.
 */
@LoggingFilter(name = "one-line-messages")
public final class OneLineLogMessages implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        try {
            if (record instanceof ExtLogRecord ext) {
                String message = ext.getFormattedMessage();
                if (message != null && message.chars().anyMatch(OneLineLogMessages::escaped)) {
                    ext.setMessage(escape(message), ExtLogRecord.FormatStyle.NO_FORMAT);
                    ext.setParameters(null);
                }
            }
            Throwable thrown = record.getThrown();
            if (thrown != null && needsEscape(thrown, Collections.newSetFromMap(new IdentityHashMap<>()))) {
                record.setThrown(Escaped.of(thrown, Collections.newSetFromMap(new IdentityHashMap<>())));
            }
        } catch (RuntimeException e) {
            // A filter that throws loses the record: logged as it came rather than not at all.
        }
        return true;
    }

    /** Whether the text of the exception, its causes or suppressed exceptions holds a character to escape. */
    private static boolean needsEscape(Throwable thrown, Set<Throwable> seen) {
        if (thrown == null || !seen.add(thrown)) {
            return false;
        }
        if (thrown.toString().chars().anyMatch(OneLineLogMessages::escaped) || needsEscape(thrown.getCause(), seen)) {
            return true;
        }
        for (Throwable suppressed : thrown.getSuppressed()) {
            if (needsEscape(suppressed, seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An exception as it is printed (its {@code toString()}, escaped), with its stack trace, causes and suppressed
     * exceptions, for the log only.
     */
    static final class Escaped extends RuntimeException {

        private final String shown;

        private Escaped(String shown, Throwable cause) {
            super(null, cause, true, true);
            this.shown = shown;
        }

        static Escaped of(Throwable original, Set<Throwable> seen) {
            seen.add(original);
            Throwable cause = original.getCause();
            Escaped escaped = new Escaped(
                    escape(original.toString()), cause == null || seen.contains(cause) ? null : of(cause, seen));
            escaped.setStackTrace(original.getStackTrace());
            for (Throwable suppressed : original.getSuppressed()) {
                if (!seen.contains(suppressed)) {
                    escaped.addSuppressed(of(suppressed, seen));
                }
            }
            return escaped;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }

        @Override
        public String toString() {
            return shown;
        }
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

    /**
     * Control characters but the tab, the Unicode line and paragraph separators, and the bidirectional controls
     * (which can make a line read otherwise than it is written).
     */
    private static boolean escaped(int c) {
        return (Character.isISOControl(c) && c != '\t')
                || c == '\u2028'
                || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
