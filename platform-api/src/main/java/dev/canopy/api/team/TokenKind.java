package dev.canopy.api.team;

/** USER tokens call the API; RUNNER tokens call only the worker protocol that runners speak. */
public enum TokenKind {
    USER,
    RUNNER
}
