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

    /**
     * Directory of the artifact store (datasets, checkpoints, models). Default {@code $CANOPY_HOME/artifacts};
     * control planes that share a database must share this directory too (a mounted volume), since each reads
     * what the others stored. Environment variable {@code CANOPY_ARTIFACTS_DIRECTORY}.
     */
    Optional<String> artifactsDirectory();

    /** {@link #artifactsDirectory()} resolved to an absolute path. */
    default Path artifactsPath() {
        return artifactsDirectory()
                .map(d -> Path.of(d).toAbsolutePath().normalize())
                .orElseGet(() -> homeDirectory().resolve("artifacts"));
    }
}
