package dev.canopy.scheduler.schedule;

import jakarta.enterprise.context.ApplicationScoped;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import java.util.UUID;
import java.util.regex.Pattern;
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
import org.quartz.spi.OperableTrigger;

/**
 * Cron schedules as Quartz jobs in the JDBC store (jdbc-cmt: changes join the caller's transaction).
 *
 * <p>Misfires: when no control plane was up at a fire time, the schedule fires once as soon as one is
 * (FIRE_AND_PROCEED), then keeps its cron; missed fires are not replayed one by one.
 */
@ApplicationScoped
public class CronSchedules {

    private static final String GROUP = "canopy-schedules";
    private static final int FIRES_CHECKED = 1000;

    private final Scheduler quartz;

    CronSchedules(Scheduler quartz) {
        this.quartz = quartz;
    }

    /**
     * Why a cron expression is invalid (Quartz syntax: seconds minutes hours day-of-month month day-of-week [year]),
     * if it is; one that would never fire again (February 30th, a past year) is invalid too, and so is one that fires
     * twice within {@code minInterval} (every second, say) in {@code zone}.
     */
    public static Optional<String> problemWith(String cron, ZoneId zone, Duration minInterval) {
        CronExpression expression;
        try {
            expression = expression(cron, zone);
        } catch (ParseException e) {
            return Optional.of(e.getMessage());
        }
        Date previous = expression.getNextValidTimeAfter(new Date());
        if (previous == null) {
            String[] fields = cron.trim().split("\\s+");
            boolean farYear = fields.length == 7
                    && Pattern.compile("\\d+")
                            .matcher(fields[6])
                            .results()
                            .anyMatch(year -> year.group().length() > 4 || Integer.parseInt(year.group()) > lastYear());
            return Optional.of(
                    farYear
                            ? "it names a year after " + lastYear() + ": the scheduler (Quartz) looks 100 years ahead"
                            : "it never fires after now");
        }
        // Each field's values repeat in every value of the field above it, so the closest two fires of an expression
        // come within its first few hundred fires.
        for (int i = 0; i < FIRES_CHECKED; i++) {
            Date next = expression.getNextValidTimeAfter(previous);
            if (next == null) {
                break;
            }
            Duration gap = Duration.ofMillis(next.getTime() - previous.getTime());
            if (gap.compareTo(minInterval) < 0) {
                return Optional.of("it fires " + inWords(gap) + " apart (at " + previous.toInstant() + " and "
                        + next.toInstant() + "); schedules fire at most once every " + inWords(minInterval));
            }
            previous = next;
        }
        return Optional.empty();
    }

    /** When a valid cron expression fires next after now in {@code zone}; empty when it never fires again. */
    public static Optional<Instant> nextFireOf(String cron, ZoneId zone) {
        try {
            return Optional.ofNullable(expression(cron, zone).getNextValidTimeAfter(new Date()))
                    .map(Date::toInstant);
        } catch (ParseException e) {
            throw new IllegalArgumentException("a stored cron expression is always valid: " + cron, e);
        }
    }

    private static CronExpression expression(String cron, ZoneId zone) throws ParseException {
        CronExpression expression = new CronExpression(cron);
        TimeZone timeZone;
        try {
            timeZone = timeZoneOf(zone);
        } catch (IllegalArgumentException e) {
            // A zone stored before such zones were refused: its trigger runs in what TimeZone made of it, so its
            // fires are shown that way too (a change of the schedule asks for a zone the scheduler can keep).
            timeZone = TimeZone.getTimeZone(zone);
        }
        expression.setTimeZone(timeZone);
        return expression;
    }

    /**
     * The zone as Quartz takes it (a {@link TimeZone}). {@code TimeZone.getTimeZone} reads any ID it does not know as
     * GMT, silently: on JDK 17 that is every offset written with a prefix ({@code UTC+05:30}, {@code UT+2}) and every
     * offset with seconds. A fixed offset goes by its plain form ({@code +05:30}); a zone whose offsets do not come
     * out the same, now and over the next year, is refused.
     *
     * @throws IllegalArgumentException when Quartz could not use the zone as it is meant
     */
    public static TimeZone timeZoneOf(ZoneId zone) {
        ZoneId plain = zone.getRules().isFixedOffset() ? zone.normalized() : zone;
        TimeZone timeZone = TimeZone.getTimeZone(plain);
        Instant now = Instant.now();
        for (int month = 0; month <= 12; month++) {
            Instant at = now.plus(Duration.ofDays(30L * month));
            long offsetMillis = zone.getRules().getOffset(at).getTotalSeconds() * 1000L;
            if (timeZone.getOffset(at.toEpochMilli()) != offsetMillis) {
                throw new IllegalArgumentException("the scheduler cannot use time zone '" + zone.getId()
                        + "' as it is meant; use a region (Asia/Kolkata) or a plain offset of hours and minutes"
                        + " (+05:30)");
            }
        }
        return timeZone;
    }

    /** The last year Quartz finds fire times in: a hundred years from now. */
    private static int lastYear() {
        return Year.now(ZoneOffset.UTC).getValue() + 100;
    }

    private static String inWords(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 3600 == 0) {
            return plural(seconds / 3600, "hour");
        }
        return seconds % 60 == 0 ? plural(seconds / 60, "minute") : plural(seconds, "second");
    }

    private static String plural(long count, String unit) {
        return count + " " + unit + (count == 1 ? "" : "s");
    }

    /**
     * The cron has no time left after the moment its trigger starts from: checked before, it had one, but its last
     * time (a one-time cron due in the next second) passed meanwhile.
     */
    public static final class NeverFires extends IllegalArgumentException {
        NeverFires(String message) {
            super(message);
        }
    }

    /**
     * Creates or replaces the trigger of a schedule.
     *
     * @throws NeverFires when the cron has no fire time left
     */
    public void put(UUID scheduleId, String cron, ZoneId zone) {
        JobDetail job = JobBuilder.newJob(ScheduleJob.class)
                .withIdentity(scheduleId.toString(), GROUP)
                .usingJobData(ScheduleJob.SCHEDULE_ID, scheduleId.toString())
                .storeDurably()
                // A control plane that dies mid-fire (after Quartz moved the trigger on, before the run committed)
                // would lose the fire: another one runs it again, for the same scheduled time, hence the same key.
                .requestRecovery(true)
                .build();
        Trigger trigger = TriggerBuilder.newTrigger()
                .withIdentity(scheduleId.toString(), GROUP)
                .forJob(job)
                // Quartz starts a cron trigger from its first time after (start - 1 s): a second from now makes that
                // the first time after now, so a schedule created or resumed just after a tick does not fire for it.
                .startAt(Date.from(Instant.now().plusSeconds(1)))
                .withSchedule(CronScheduleBuilder.cronSchedule(cron)
                        .inTimeZone(timeZoneOf(zone))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        // Quartz refuses such a trigger with a SchedulerException, which would read as a server failure.
        if (((OperableTrigger) trigger).computeFirstFireTime(null) == null) {
            throw new NeverFires("it never fires after now");
        }
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
