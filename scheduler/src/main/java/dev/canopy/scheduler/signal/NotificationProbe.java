package dev.canopy.scheduler.signal;

import java.util.UUID;

/**
 * Whether the listener's connection hears notifications: the end-to-end check that {@code LISTEN} works there. A
 * probe is a {@code NOTIFY} sent from another connection, so it arrives as other control planes' notifications do,
 * while the listener waits; on a direct connection it comes back within milliseconds. Behind a connection pooler in
 * transaction mode (PgBouncer's default) the {@code LISTEN} and later statements may run on different server sessions
 * and notifications are lost, although every statement succeeds: without this check, subscribers would believe they
 * hear changes they miss (an access cache would keep a revoked token working until its entries aged out). The
 * listener also reports its server session (its backend's process id) at each ping: once that changes, the session
 * that listened is gone, and the connection is never trusted again. One probe is out at a time. Not thread-safe: the
 * listener thread alone uses it.
 */
final class NotificationProbe {

    /** The channel probes go on. */
    static final String CHANNEL = "canopy_signals_probe";

    private final long timeoutNanos;
    private String outstanding;
    private long sentNanos;
    private boolean verified;
    private int session;
    private boolean moved;

    NotificationProbe(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** The payload of a probe to send at {@code nanos}, or null while one is on its way (or the session moved). */
    String send(long nanos) {
        if (outstanding != null || moved) {
            return null;
        }
        outstanding = UUID.randomUUID().toString();
        sentNanos = nanos;
        return outstanding;
    }

    /** The probe could not be sent: the next {@link #send} makes a new one. */
    void withdraw() {
        outstanding = null;
    }

    /**
     * The connection's server session now; true when it differs from the one it had first (once): the connection
     * is then not verified, for good.
     */
    boolean sessionIs(int processId) {
        if (session == 0) {
            session = processId;
        }
        if (processId == session || moved) {
            return false;
        }
        moved = true;
        verified = false;
        outstanding = null;
        return true;
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
