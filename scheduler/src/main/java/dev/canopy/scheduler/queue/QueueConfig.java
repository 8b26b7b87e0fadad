package dev.canopy.scheduler.queue;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "canopy.queue")
public interface QueueConfig {

    /** How long a claim holds a run without a heartbeat; runners heartbeat well within it. */
    @WithDefault("30s")
    Duration lease();

    /** How often runners are told to heartbeat. */
    @WithDefault("5s")
    Duration heartbeat();

    /** Runners a run may lose (leases that expire) before it fails; attempts a draining runner gave back are free. */
    @WithDefault("3")
    int maxAttempts();

    /** Longest a claim waits for work before answering "nothing". */
    @WithDefault("30s")
    Duration longPoll();

    /** How often the reaper looks for expired leases (read by the reaper's schedule). */
    @WithDefault("5s")
    Duration reaperEvery();

    /** A waiting claim retries this often even without a notification (NOTIFY is only a hint). */
    @WithDefault("2s")
    Duration pollFallback();
}
