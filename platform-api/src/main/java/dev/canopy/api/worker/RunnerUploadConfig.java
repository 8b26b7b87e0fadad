package dev.canopy.api.worker;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "canopy.runners")
interface RunnerUploadConfig {

    /**
     * Largest checkpoint or trained model a runner may upload; a larger one is refused with 413 while it streams
     * (and the run fails with that reason). A version's artifact is read whole to register it, so 2G is the most
     * that can work.
     */
    @WithDefault("2G")
    MemorySize maxArtifactSize();
}
