package dev.canopy.api.config;

import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.event.Observes;

/**
 * Stops the embedded PostgreSQL with the application (dev mode keeps it across live reloads), once the application
 * beans are gone: after the shutdown's observers (runners drain, serving counts are stored through it) and after
 * Quartz, which stops when the application context is about to be destroyed.
 */
@ApplicationScoped
class EmbeddedDatabaseLifecycle {

    // Static: the bean itself is destroyed by then.
    static void onStop(@Observes @Destroyed(ApplicationScoped.class) Object event) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            EmbeddedDatabase.stopAll();
        }
    }
}
