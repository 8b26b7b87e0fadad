package dev.canopy.scheduler.schedule;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.util.UUID;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The Quartz job behind every cron schedule. Quartz (clustered, JDBC) runs each fire on exactly one control
 * plane; the fire key (the scheduled time) makes a second execution of the same fire launch nothing.
 */
@Dependent
@DisallowConcurrentExecution
public class ScheduleJob implements Job {

    static final String SCHEDULE_ID = "scheduleId";

    @Inject
    ScheduleFiring firing;

    @Override
    public void execute(JobExecutionContext context) {
        UUID scheduleId = UUID.fromString(context.getMergedJobDataMap().getString(SCHEDULE_ID));
        firing.fire(scheduleId, "cron:" + context.getScheduledFireTime().toInstant());
    }
}
