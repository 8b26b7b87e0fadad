package dev.canopy.api.endpoint;

/**
 * Energy and emissions per 1,000 predictions of one version: the serving threads' CPU time × the machine's CPU
 * power per logical CPU (a {@code model}, stated in {@code detail}), × PUE × the serving zone's grid intensity.
 */
record ServingEnergy(
        double kWh, double kgCo2e, double pue, String zone, double gCo2ePerKwh, String method, String detail) {}
