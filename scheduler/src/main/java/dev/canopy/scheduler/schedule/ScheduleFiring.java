package dev.canopy.scheduler.schedule;

import java.util.UUID;

/** What the scheduler needs from the platform when a schedule fires: launch its run (once per fire key). */
public interface ScheduleFiring {

    /**
     * Launches the schedule's run for this fire, unless a run was launched for the same {@code fireKey} already
     * (a fire recovered after a crash, seen twice).
     */
    void fire(UUID scheduleId, String fireKey);

    /**
     * Launches a data schedule's run for a new version of its dataset, unless that version's fire launched it already
     * (the fire right after the upload, which a control plane stopping at that moment could not make).
     */
    void fireForVersion(UUID scheduleId, UUID teamId, UUID datasetId, UUID versionId, int version);
}
