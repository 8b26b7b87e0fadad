package dev.canopy.api.team;

import java.util.UUID;

/** A team the current caller may act in, with the caller's effective role there. */
public record TeamScope(UUID teamId, String teamName, UUID userId, Role role) {}
