package dev.canopy.api.endpoint;

/**
 * Energy and emissions per 1,000 predictions of one version, over every control plane that served it: the serving
 * threads' CPU time × each machine's CPU power per logical CPU (a {@code model}, stated in {@code detail}), × its
 * PUE × its zone's grid intensity, summed and divided by the predictions. {@code pue} and {@code zone} are null when
 * the control planes differ in them; {@code gCo2ePerKwh} is then the mean the sums imply.
 */
record ServingEnergy(
        double kWh,
        double kgCo2e,
        Double pue,
        String zone,
        double gCo2ePerKwh,
        String method,
        int controlPlanes,
        String detail) {}
