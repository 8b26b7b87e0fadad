package dev.canopy.api.dataset;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "canopy.datasets")
interface DatasetConfig {

    /** Largest CSV a dataset version may have; a larger upload is refused with 413 while it streams. */
    @WithDefault("8G")
    MemorySize maxUploadSize();

    /** Distinct values counted exactly per column when profiling; beyond it the count is reported as capped. */
    @WithDefault("10000")
    int distinctCap();

    /** Most frequent values listed per categorical column. */
    @WithDefault("10")
    int topCategories();
}
