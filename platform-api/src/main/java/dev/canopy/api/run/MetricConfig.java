package dev.canopy.api.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "canopy.metrics")
interface MetricConfig {

    /** Most points one ingestion request may carry; more is refused with 413. */
    @WithDefault("100000")
    int maxBatchPoints();

    /**
     * Most metric keys (series) one run may have; a batch that would add more is refused with 400. Each batch, and
     * each view of the run, reads all of the run's keys.
     */
    @WithDefault("10000")
    int maxSeriesPerRun();

    /** Largest {@code maxPoints} a history request may ask for. */
    @WithDefault("100000")
    int maxDownsampledPoints();
}
