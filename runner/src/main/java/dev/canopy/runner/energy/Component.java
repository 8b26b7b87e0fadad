package dev.canopy.runner.energy;

/** The parts of a machine whose energy a run is charged. */
public enum Component {
    GPU,
    CPU,
    RAM
}
