package dev.canopy.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The embedded PostgreSQL asks every connection for its password, which only the home's owner can read. */
@QuarkusTest
class EmbeddedDatabaseTest {

    @ConfigProperty(name = CanopyHome.KEY)
    String home;

    @Test
    void theEmbeddedServerAsksEveryConnectionForThePasswordOnlyTheOwnerCanRead() throws Exception {
        Path file = CanopyHome.resolve(home).resolve(EmbeddedDatabase.PASSWORD_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        EmbeddedDatabase database = EmbeddedDatabase.startIn(CanopyHome.resolve(home));

        assertThatThrownBy(() -> connect(database, null)).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> connect(database, "postgres")).isInstanceOf(SQLException.class);
        try (Connection connection = connect(database, Files.readString(file).trim())) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }

    /** Before Canopy sets the password and pg_hba.conf at a start: a new server asks for the password already. */
    @Test
    void aNewDataDirectoryAsksForThePasswordFromItsFirstStart(@TempDir Path home) throws Exception {
        Path file = Files.writeString(home.resolve(EmbeddedDatabase.PASSWORD_FILE), "first-start-secret\n");
        try (EmbeddedPostgres server = EmbeddedDatabase.configured(
                        home.resolve("pgdata"), file, "first-start-secret", false)
                .start()) {
            String url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres?user=postgres";
            assertThatThrownBy(() -> connect(url, null)).isInstanceOf(SQLException.class);
            try (Connection connection = connect(url, "first-start-secret")) {
                assertThat(connection.isValid(5)).isTrue();
            }
        }
    }

    private static Connection connect(EmbeddedDatabase database, String password) throws SQLException {
        return connect(database.jdbcUrl(), password);
    }

    private static Connection connect(String url, String password) throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        if (password != null) {
            dataSource.setPassword(password);
        }
        return dataSource.getConnection();
    }
}
