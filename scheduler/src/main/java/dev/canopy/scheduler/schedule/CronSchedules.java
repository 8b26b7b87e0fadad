package dev.canopy.scheduler.schedule;

import jakarta.enterprise.context.ApplicationScoped;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import java.util.UUID;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;

/**
 * Cron schedules as Quartz jobs in the JDBC store (jdbc-cmt: changes join the caller's transaction).
 *
 * <p>Misfires: when no control plane was up at a fire time, the schedule fires once as soon as one is
 * (FIRE_AND_PROCEED), then keeps its cron; missed fires are not replayed one by one.
 */
@ApplicationScoped
public class CronSchedules {

    private static final String GROUP = "canopy-schedules";

    private final Scheduler quartz;

    CronSchedules(Scheduler quartz) {
        this.quartz = quartz;
    }

    /**
     * Why a cron expression is invalid (Quartz syntax: seconds minutes hours day-of-month month day-of-week [year]),
     * if it is; one that would never fire again (February 30th, a past year) is invalid too.
     */
    public static Optional<String> problemWith(String cron) {
        try {
            if (new CronExpression(cron).getNextValidTimeAfter(new Date()) == null) {
                return Optional.of("it never fires after now");
            }
            return Optional.empty();
        } catch (ParseException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Creates or replaces the trigger of a schedule. */
    public void put(UUID scheduleId, String cron, ZoneId zone) {
        JobDetail job = JobBuilder.newJob(ScheduleJob.class)
                .withIdentity(scheduleId.toString(), GROUP)
                .usingJobData(ScheduleJob.SCHEDULE_ID, scheduleId.toString())
                .storeDurably()
                .build();
        Trigger trigger = TriggerBuilder.newTrigger()
                .withIdentity(scheduleId.toString(), GROUP)
                .forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron)
                        .inTimeZone(TimeZone.getTimeZone(zone))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        quartz(() -> {
            quartz.addJob(job, true);
            if (quartz.checkExists(trigger.getKey())) {
                quartz.rescheduleJob(trigger.getKey(), trigger);
            } else {
                quartz.scheduleJob(trigger);
            }
        });
    }

    public void pause(UUID scheduleId) {
        quartz(() -> quartz.pauseTrigger(key(scheduleId)));
    }

    public void remove(UUID scheduleId) {
        quartz(() -> quartz.deleteJob(JobKey.jobKey(scheduleId.toString(), GROUP)));
    }

    /** When the schedule fires next; empty when paused or not a cron schedule. */
    public Optional<Instant> nextFire(UUID scheduleId) {
        try {
            Trigger trigger = quartz.getTrigger(key(scheduleId));
            boolean paused = trigger != null && quartz.getTriggerState(key(scheduleId)) == Trigger.TriggerState.PAUSED;
            return trigger == null || paused || trigger.getNextFireTime() == null
                    ? Optional.empty()
                    : Optional.of(trigger.getNextFireTime().toInstant());
        } catch (SchedulerException e) {
            throw new IllegalStateException("Could not read schedule " + scheduleId, e);
        }
    }

    private static TriggerKey key(UUID scheduleId) {
        return TriggerKey.triggerKey(scheduleId.toString(), GROUP);
    }

    private interface QuartzWork {
        void run() throws SchedulerException;
    }

    private static void quartz(QuartzWork work) {
        try {
            work.run();
        } catch (SchedulerException e) {
            throw new IllegalStateException("Quartz refused a schedule change", e);
        }
    }
}
