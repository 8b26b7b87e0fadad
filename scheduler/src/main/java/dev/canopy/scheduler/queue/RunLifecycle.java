package dev.canopy.scheduler.queue;

import java.util.List;

/**
 * What the scheduler needs from the platform when the reaper acts on expired leases: record the outcome on the
 * runs (the platform owns them). Called in the reaper's transaction.
 */
public interface RunLifecycle {

    void reaped(List<Reaped> runs);
}
