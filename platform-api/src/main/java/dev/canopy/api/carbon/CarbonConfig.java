package dev.canopy.api.carbon;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;

/** Carbon accounting settings. */
@ConfigMapping(prefix = "canopy.carbon")
public interface CarbonConfig {

    /**
     * The site's power usage effectiveness, applied to runners that declare none (1.0 counts IT energy only; the
     * 2024 global data-centre average is about 1.56, Uptime Institute).
     */
    @WithDefault("1.0")
    @DecimalMin("1.0")
    @DecimalMax("3.0")
    double pue();

    /**
     * The longest step between two points of an uploaded intensity trace that still counts as covered; a run's
     * time outside a trace's points uses the yearly table instead (and says so).
     */
    @WithDefault("PT2H")
    Duration traceMaxStep();

    /** Largest intensity trace CSV a team may upload. */
    @WithDefault("16M")
    MemorySize traceMaxSize();

    /** Finished runs looked at for a queued run's forecast (the most recent similar ones). */
    @WithDefault("20")
    int forecastRuns();
}
