package dev.canopy.api.run;

/** How far a trained run is: epoch of epochs, the fraction of the whole run done, and the time left. */
public record RunProgress(int epoch, int epochs, double fraction, Long etaSeconds) {}
