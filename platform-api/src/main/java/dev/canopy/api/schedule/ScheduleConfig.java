package dev.canopy.api.schedule;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "canopy.schedules")
interface ScheduleConfig {

    /**
     * The shortest time a cron schedule may leave between two fires; a cron that fires sooner (every second, say)
     * is refused with 400. Each fire queues a training run, so a faster cron mostly fills the queue.
     */
    @WithDefault("1m")
    Duration minInterval();
}
