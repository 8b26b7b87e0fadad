package dev.canopy.api.dataset;

import java.util.UUID;

/** Fired, in the uploading transaction, when a dataset gets a new version (not when known bytes come again). */
public record DatasetVersionCreated(UUID teamId, UUID datasetId, UUID versionId, int version) {}
