package dev.canopy.scheduler.queue;

import java.util.List;
import java.util.UUID;

/**
 * What a heartbeat did to the runs the runner reported: leases renewed, runs to stop because a cancel was asked
 * for, and runs the runner no longer holds (its lease expired and the run went to another attempt).
 */
public record HeartbeatResult(List<UUID> renewed, List<UUID> cancel, List<UUID> lost) {}
