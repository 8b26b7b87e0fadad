package dev.canopy.api.config;

import io.quarkus.runtime.Application;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies the datasource settings of the {@link EmbeddedDatabase} when none are configured.
 *
 * <p>If {@code quarkus.datasource.jdbc.url} is set anywhere (the standard {@code QUARKUS_DATASOURCE_*}
 * environment variables included), this factory contributes nothing and Canopy uses that database. Otherwise
 * it contributes a low-ordinal source whose values start the embedded server the first time Quarkus reads
 * them at runtime start, before the datasource is created and Flyway runs. The build reads them too,
 * before any application exists, and gets nothing.
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    static final String USERNAME = "quarkus.datasource.username";
    static final String PASSWORD = "quarkus.datasource.password";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (valueFor(context, URL) != null) {
            return List.of();
        }
        String configuredHome = valueFor(context, CanopyHome.KEY);
        return List.of(new LazySource(() -> EmbeddedDatabase.startIn(CanopyHome.resolve(configuredHome))));
    }

    /** The value of {@code name}, its active profiles' variants ({@code %test.name}) first. */
    private static String valueFor(ConfigSourceContext context, String name) {
        for (String profile : context.getProfiles()) {
            String value = nonBlank(context.getValue("%" + profile + "." + name));
            if (value != null) {
                return value;
            }
        }
        return nonBlank(context.getValue(name));
    }

    private static String nonBlank(ConfigValue value) {
        return value == null || value.getValue() == null || value.getValue().isBlank() ? null : value.getValue();
    }

    /** Below application.properties (250), so that anything configured explicitly wins. */
    private static final class LazySource implements ConfigSource {

        private static final Set<String> NAMES = Set.of(URL, USERNAME, PASSWORD);
        private final Supplier<EmbeddedDatabase> database;

        LazySource(Supplier<EmbeddedDatabase> database) {
            this.database = database;
        }

        @Override
        public Set<String> getPropertyNames() {
            return NAMES;
        }

        @Override
        public Map<String, String> getProperties() {
            Map<String, String> properties = new HashMap<>();
            NAMES.forEach(name -> {
                String value = getValue(name);
                if (value != null) {
                    properties.put(name, value);
                }
            });
            return properties;
        }

        @Override
        public String getValue(String name) {
            if (Application.currentApplication() == null) {
                // Build-time augmentation reads the datasource settings too; it must not start a server.
                return null;
            }
            return switch (name) {
                case URL -> database.get().jdbcUrl();
                case USERNAME -> EmbeddedDatabase.USER;
                // Made once per home (see EmbeddedDatabase); the server asks every connection for it.
                case PASSWORD -> database.get().password();
                default -> null;
            };
        }

        @Override
        public int getOrdinal() {
            return 150;
        }

        @Override
        public String getName() {
            return "canopy-embedded-postgresql";
        }
    }
}
