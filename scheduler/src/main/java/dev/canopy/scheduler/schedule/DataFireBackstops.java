package dev.canopy.scheduler.schedule;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

/**
 * A data schedule fires right after the upload of a new version commits, on the control plane that took it. So that
 * a control plane stopping at that moment does not lose the fire, the upload's own transaction also stores (jdbc-cmt)
 * a one-shot Quartz trigger of the same fire a while later: Quartz runs it on one control plane, after a restart too,
 * and it launches nothing when the first fire did (the fire key is the same).
 */
@ApplicationScoped
public class DataFireBackstops {

    static final String GROUP = "canopy-data-fires";

    private final Scheduler quartz;

    DataFireBackstops(Scheduler quartz) {
        this.quartz = quartz;
    }

    /** In the caller's transaction: the schedule fires for that version at {@code at} (at once if no plane is up). */
    public void add(UUID scheduleId, UUID teamId, UUID datasetId, UUID versionId, int version, Instant at) {
        String key = scheduleId + ":" + versionId;
        JobDetail job = JobBuilder.newJob(DataFireJob.class)
                .withIdentity(key, GROUP)
                .usingJobData(DataFireJob.SCHEDULE_ID, scheduleId.toString())
                .usingJobData(DataFireJob.TEAM_ID, teamId.toString())
                .usingJobData(DataFireJob.DATASET_ID, datasetId.toString())
                .usingJobData(DataFireJob.VERSION_ID, versionId.toString())
                // Text only: the JDBC store keeps job data as properties.
                .usingJobData(DataFireJob.VERSION, String.valueOf(version))
                .requestRecovery(true)
                .build();
        Trigger trigger = TriggerBuilder.newTrigger()
                .withIdentity(key, GROUP)
                .forJob(job)
                .startAt(Date.from(at))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                .build();
        try {
            quartz.scheduleJob(job, trigger);
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz refused the backstop fire of schedule " + scheduleId, e);
        }
    }
}
