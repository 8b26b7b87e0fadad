package dev.canopy.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
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

    private static Connection connect(EmbeddedDatabase database, String password) throws SQLException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(database.jdbcUrl());
        if (password != null) {
            dataSource.setPassword(password);
        }
        return dataSource.getConnection();
    }
}
