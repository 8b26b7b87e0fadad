package dev.canopy.api.dataset;

import java.util.UUID;

/**
 * A dataset version as a run's or a model version's lineage names it: identity, content hash and rows, without its
 * column profile (which, for a wide dataset, is most of the version's size).
 */
public record DatasetVersionLabel(UUID id, String dataset, int version, String sha256, long rowCount) {}
