package dev.canopy.api.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "canopy.metrics")
interface MetricConfig {

    /** Most points one ingestion request may carry; more is refused with 413. */
    @WithDefault("100000")
    int maxBatchPoints();

    /** Largest {@code maxPoints} a history request may ask for. */
    @WithDefault("100000")
    int maxDownsampledPoints();
}
