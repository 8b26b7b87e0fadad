package dev.canopy.scheduler.queue;

import java.util.Set;
import java.util.UUID;

/**
 * A runner asking for work.
 *
 * @param workerTeamId when set, the runner serves only this team
 * @param freeGpus how many GPUs the runner has free; a run needing more is left for another runner
 * @param recipes the recipes the runner can train
 */
public record ClaimRequest(UUID workerId, UUID workerTeamId, int freeGpus, Set<String> recipes) {}
