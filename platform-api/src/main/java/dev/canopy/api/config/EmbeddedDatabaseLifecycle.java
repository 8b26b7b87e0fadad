package dev.canopy.api.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * Stops the embedded PostgreSQL with the application (dev mode keeps it across live reloads), after every other
 * observer of the shutdown: those drain runners and store serving counts through it.
 */
@ApplicationScoped
class EmbeddedDatabaseLifecycle {

    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER + 1000) ShutdownEvent event) {
        if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            EmbeddedDatabase.stopAll();
        }
    }
}
