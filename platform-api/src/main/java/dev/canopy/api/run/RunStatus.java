package dev.canopy.api.run;

import java.util.Set;

/** A run's lifecycle: QUEUED (trained runs only) → RUNNING → FINISHED, FAILED or KILLED. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    FINISHED,
    FAILED,
    KILLED;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }

    boolean canMoveTo(RunStatus next) {
        return switch (this) {
            case QUEUED -> Set.of(RUNNING, FAILED, KILLED).contains(next);
            case RUNNING -> next.isTerminal();
            case FINISHED, FAILED, KILLED -> false;
        };
    }
}
