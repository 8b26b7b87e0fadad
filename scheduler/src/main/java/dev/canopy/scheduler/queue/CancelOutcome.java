package dev.canopy.scheduler.queue;

/** What asking to cancel a run did in the queue. */
public enum CancelOutcome {
    /** It was waiting: it is out of the queue now. */
    REMOVED,
    /** A runner holds it: the runner learns at its next heartbeat and stops. */
    SIGNALLED,
    /** It is not in the queue. */
    NOT_QUEUED
}
