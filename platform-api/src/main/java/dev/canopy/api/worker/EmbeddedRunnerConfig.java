package dev.canopy.api.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

@ConfigMapping(prefix = "canopy.runner.embedded")
interface EmbeddedRunnerConfig {

    /** Runners started inside the control plane (one run at a time each); 0 in production, where runners are separate. */
    @WithDefault("1")
    int count();

    /** GPUs the embedded runners use together (each gets a share); none means all the engine finds. */
    Optional<Integer> gpus();

    /** Where the embedded runners run: ISO country code or cloud region, for carbon accounting. */
    Optional<String> zone();

    /** The PUE of the site they run at; none means {@code canopy.carbon.pue}. */
    Optional<Double> pue();

    /** The machine's CPU power at full load for the CPU energy model, overriding the TDP table. */
    Optional<Double> cpuWatts();
}
