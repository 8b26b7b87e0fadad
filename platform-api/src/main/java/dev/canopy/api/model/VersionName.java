package dev.canopy.api.model;

import java.util.UUID;

/** A model version as other features name it. */
public record VersionName(UUID id, String model, int version) {}
