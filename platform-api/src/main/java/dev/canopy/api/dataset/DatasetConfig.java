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

    /**
     * Uploads profiled at once by this control plane; each may keep up to 64 MiB of distinct values while it is.
     * Later ones wait their turn, their bodies unread meanwhile. 0: one per 256 MiB of heap, 4 to 8.
     */
    @WithDefault("0")
    int concurrentUploads();

    /** Most frequent values listed per categorical column. */
    @WithDefault("10")
    int topCategories();
}
