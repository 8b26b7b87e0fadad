package dev.canopy.api.endpoint;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.Optional;

/** How the control plane serves endpoints. */
@ConfigMapping(prefix = "canopy.serving")
public interface ServingConfig {

    /** DJL predictors per loaded model version; 0: one per CPU. */
    @WithDefault("0")
    int predictors();

    /**
     * PyTorch intra-op threads each forward pass runs on; absent: the CPUs divided among the predictors (1 with
     * one predictor per CPU); 0: PyTorch's own count, one per CPU for every pass.
     */
    Optional<@PositiveOrZero Integer> threadsPerPass();

    /**
     * Micro-batching: concurrent requests to one version share forward passes. This and the next two are the
     * defaults for endpoints that do not set their own ({@code PUT .../endpoints/{endpoint}/batching}).
     */
    @WithDefault("true")
    boolean batching();

    /** Most records in one micro-batch. */
    @WithDefault("64")
    int maxBatchRecords();

    /**
     * Longest a request waits for others to join its micro-batch; only a batch that starts while every other
     * predictor runs a forward pass waits at all.
     */
    @WithDefault("2ms")
    Duration maxWait();

    /** Most records in one predict request; more is refused with 413. */
    @WithDefault("10000")
    int maxRequestRecords();

    /**
     * How often each control plane stores what it served (per endpoint and version) and saw of running canaries for
     * the others (in the database) and takes in theirs: the API shows totals over control planes, and canary
     * policies decide on the traffic of all of them.
     */
    @WithDefault("1s")
    Duration poolEvery();

    /**
     * Load what the endpoints serve ahead of its first request: at start, and whenever the sweep (every 30 s) finds a
     * served version this control plane has not loaded (promoted on another one). Off, versions load at their first
     * request.
     */
    @WithDefault("true")
    boolean preload();

    /** How long an endpoint's routing (live and canary versions) is cached between database reads. */
    @WithDefault("1s")
    Duration routeCacheTtl();

    /**
     * Grid zone of the machine serving (ISO country code or cloud region), for the CO2e of predictions; absent:
     * the world average, flagged.
     */
    Optional<String> zone();

    /** CPU power of this machine at full load, for the serving energy model; absent: from the TDP table. */
    Optional<@Positive Double> cpuWatts();
}
