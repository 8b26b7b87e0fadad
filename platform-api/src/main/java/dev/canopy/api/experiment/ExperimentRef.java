package dev.canopy.api.experiment;

import java.util.UUID;

/** An experiment as other features see it. */
public record ExperimentRef(UUID id, String name) {}
