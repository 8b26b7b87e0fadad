package dev.canopy.api.run;

/** TRACKED runs are logged from outside (like MLflow); TRAINED runs are queued and trained by Canopy runners. */
public enum RunKind {
    TRACKED,
    TRAINED
}
