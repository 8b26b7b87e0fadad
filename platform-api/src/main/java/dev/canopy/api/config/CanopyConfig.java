package dev.canopy.api.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/** Platform-wide configuration. Feature-specific settings live in their feature's own mapping. */
@ConfigMapping(prefix = "canopy")
public interface CanopyConfig {

    /**
     * Directory holding the embedded database ({@code pgdata}), the artifact store ({@code artifacts}) and the
     * first-start admin token ({@code admin-token}). Environment variable {@code CANOPY_HOME}; default
     * {@code ~/.canopy}.
     */
    Optional<String> home();

    /** {@link #home()} resolved to an absolute path. */
    default Path homeDirectory() {
        return CanopyHome.resolve(home().orElse(null));
    }
}
