package dev.canopy.scheduler.worker;

import java.time.Instant;
import java.util.UUID;

/** A registered runner with its state: ONLINE when it heartbeats, DRAINING when it is shutting down, OFFLINE otherwise. */
public record Worker(
        UUID id, UUID tokenId, WorkerInfo info, String state, Instant registeredAt, Instant lastHeartbeatAt) {

    public static final String ONLINE = "ONLINE";
    public static final String DRAINING = "DRAINING";
    public static final String OFFLINE = "OFFLINE";
}
