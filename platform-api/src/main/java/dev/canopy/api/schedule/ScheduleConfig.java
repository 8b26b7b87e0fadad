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

    /**
     * How long a version a scheduled run registered may wait for its promotion on a control plane that stopped
     * before deciding it: the deciding control plane renews its claim every quarter of this, and every control
     * plane sweeps for claims that ran out as often.
     */
    @WithDefault("2m")
    Duration promotionLease();

    /**
     * When a data schedule fires again for a new version, as a Quartz trigger stored with the upload: the fire right
     * after the upload is lost if its control plane stops at that moment; this one launches nothing if it was not.
     */
    @WithDefault("2m")
    Duration dataFireBackstop();
}
