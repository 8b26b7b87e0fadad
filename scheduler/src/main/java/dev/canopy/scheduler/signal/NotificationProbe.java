package dev.canopy.scheduler.signal;

import java.util.UUID;

/**
 * Whether a {@code NOTIFY} sent on the listener's connection comes back to it: the end-to-end check that {@code
 * LISTEN} works there. A session hears its own notifications, so on a direct connection each probe returns within
 * milliseconds. Behind a connection pooler in transaction mode (PgBouncer's default) the {@code LISTEN} and later
 * statements may run on different server sessions and no notification ever arrives, although every statement
 * succeeds: without this check, subscribers would believe they hear changes they miss (an access cache would keep a
 * revoked token working until its entries aged out). One probe is out at a time. Not thread-safe: the listener
 * thread alone uses it.
 */
final class NotificationProbe {

    /** The channel probes go on. */
    static final String CHANNEL = "canopy_signals_probe";

    private final long timeoutNanos;
    private String outstanding;
    private long sentNanos;
    private boolean verified;

    NotificationProbe(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** The payload of a probe to send at {@code nanos}, or null while one is on its way. */
    String send(long nanos) {
        if (outstanding != null) {
            return null;
        }
        outstanding = UUID.randomUUID().toString();
        sentNanos = nanos;
        return outstanding;
    }

    /** A notification on {@link #CHANNEL} arrived; true when it verified a connection that was not verified. */
    boolean arrived(String payload) {
        if (outstanding == null || !outstanding.equals(payload)) {
            return false;
        }
        outstanding = null;
        boolean changed = !verified;
        verified = true;
        return changed;
    }

    /**
     * Whether the probe on its way is overdue at {@code nanos}; if so the connection is not verified (any more), and
     * the next {@link #send} makes a new probe. True once per overdue probe.
     */
    boolean overdue(long nanos) {
        if (outstanding == null || nanos - sentNanos <= timeoutNanos) {
            return false;
        }
        outstanding = null;
        verified = false;
        return true;
    }

    /** Whether the last probe came back in time. */
    boolean verified() {
        return verified;
    }
}
