package dev.canopy.api.config;

import java.nio.file.Path;

/** Where Canopy keeps its state: the embedded database, the artifact store and the admin token. */
public final class CanopyHome {

    /** Configuration key; the environment variable {@code CANOPY_HOME} maps onto it. */
    public static final String KEY = "canopy.home";

    private CanopyHome() {}

    /** The configured home, or {@code ~/.canopy} when none is configured. */
    public static Path resolve(String configured) {
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".canopy").toAbsolutePath();
        }
        return Path.of(configured).toAbsolutePath();
    }
}
