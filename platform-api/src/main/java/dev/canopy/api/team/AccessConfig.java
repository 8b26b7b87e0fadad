package dev.canopy.api.team;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "canopy.auth")
public interface AccessConfig {

    /**
     * How long a token's caller and a member's role stay cached when no change to them was signalled; zero turns
     * the cache off (two queries a request).
     */
    @WithDefault("60s")
    Duration cacheMaxAge();
}
