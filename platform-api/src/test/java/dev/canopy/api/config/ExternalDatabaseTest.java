package dev.canopy.api.config;

import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.TempDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With the standard datasource settings pointing at a PostgreSQL server of its own, the platform uses that server
 * (migrating it, keeping its data there) and starts no embedded one.
 */
@QuarkusTest
@TestProfile(ExternalDatabaseTest.ExternalServer.class)
class ExternalDatabaseTest {

    /** A PostgreSQL server started apart from the platform, as an operator's server would be. */
    public static class Server implements QuarkusTestResourceLifecycleManager {

        static EmbeddedPostgres server;
        static Path home;

        @Override
        public Map<String, String> start() {
            try {
                home = TempDirectories.create("canopy-external-home");
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(TempDirectories.create("external-pg"))
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(
                    "quarkus.datasource.jdbc.url",
                    server.getJdbcUrl("postgres", "postgres"),
                    "quarkus.datasource.username",
                    "postgres",
                    "quarkus.datasource.password",
                    "postgres",
                    "canopy.home",
                    home.toString());
        }

        @Override
        public void stop() {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static class ExternalServer implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Server.class));
        }
    }

    @Test
    void keepsItsDataInTheConfiguredServerAndStartsNoEmbeddedOne() throws Exception {
        String token = Files.readString(Server.home.resolve("admin-token")).trim();
        as(token)
                .body(Map.of("name", "on-external"))
                .post("/api/v1/teams")
                .then()
                .statusCode(201);

        try (Connection c = DriverManager.getConnection(Server.server.getJdbcUrl("postgres", "postgres"));
                ResultSet teams = c.createStatement().executeQuery("SELECT name FROM teams ORDER BY name")) {
            assertThat(teams.next()).isTrue();
            assertThat(teams.getString(1)).isEqualTo("default");
            assertThat(teams.next()).isTrue();
            assertThat(teams.getString(1)).isEqualTo("on-external");
        }
        try (Connection c = DriverManager.getConnection(Server.server.getJdbcUrl("postgres", "postgres"));
                ResultSet migrations =
                        c.createStatement().executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            migrations.next();
            assertThat(migrations.getInt(1)).isGreaterThanOrEqualTo(4);
        }
        assertThat(Server.home.resolve("pgdata")).doesNotExist();
    }
}
