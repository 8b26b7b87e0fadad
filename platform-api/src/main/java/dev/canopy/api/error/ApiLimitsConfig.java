package dev.canopy.api.error;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Read at static init: the request filters that use it are created then. */
@StaticInitSafe
@ConfigMapping(prefix = "canopy.api")
interface ApiLimitsConfig {

    /**
     * Largest request body of an ordinary (JSON) endpoint; larger requests get 413. Dataset uploads have their
     * own limit ({@code canopy.datasets.max-upload-size}).
     */
    @WithDefault("32M")
    MemorySize maxRequestSize();
}
