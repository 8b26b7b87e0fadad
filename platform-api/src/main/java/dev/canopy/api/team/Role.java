package dev.canopy.api.team;

/** A member's role in a team, in increasing order of power. */
public enum Role {
    /** Reads everything in the team. */
    VIEWER,
    /** Reads and writes datasets, experiments, runs and metrics. */
    MEMBER,
    /** Also manages the team's members. */
    ADMIN;

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    /** The lower of the two roles; {@code null} caps nothing. */
    public Role min(Role other) {
        return other != null && atLeast(other) ? other : this;
    }
}
