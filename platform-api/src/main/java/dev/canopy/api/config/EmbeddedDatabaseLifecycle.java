package dev.canopy.api.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Stops the embedded PostgreSQL with the application (dev mode keeps it across live reloads). */
@ApplicationScoped
class EmbeddedDatabaseLifecycle {

    void onStop(@Observes ShutdownEvent event) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            EmbeddedDatabase.stopAll();
        }
    }
}
