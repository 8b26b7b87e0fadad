package dev.canopy.scheduler.schedule;

import java.util.UUID;

/** What the scheduler needs from the platform when a schedule fires: launch its run (once per fire key). */
public interface ScheduleFiring {

    /**
     * Launches the schedule's run for this fire, unless a run was launched for the same {@code fireKey} already
     * (a fire recovered after a crash, seen twice).
     */
    void fire(UUID scheduleId, String fireKey);
}
