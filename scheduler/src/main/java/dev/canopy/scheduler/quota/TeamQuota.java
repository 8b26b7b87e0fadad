package dev.canopy.scheduler.quota;

/** Limits of one team: concurrent trained runs and GPUs held at once; null means no limit. */
public record TeamQuota(Integer maxConcurrentRuns, Integer maxGpus) {}
