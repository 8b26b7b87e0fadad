package dev.canopy.api.model;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.LockWaits;
import dev.canopy.api.TestApi;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Registering versions of a model (two first versions at once among them), and listing them. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class ModelRegistrationTest {

    @Inject
    ModelService registry;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void twoFirstVersionsOfANewModelRegisteredAtOnceAreVersionsOneAndTwo() throws Exception {
        UUID team = aTeam();
        String name = "racing-" + UUID.randomUUID();
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<VersionName> first =
                    threads.submit(() -> QuarkusTransaction.requiringNew().call(() -> {
                        VersionName version = registry.register(upload(team, name));
                        registered.countDown();
                        // Not committed yet: the model row it created is invisible to the second.
                        assertThat(commit.await(30, TimeUnit.SECONDS)).isTrue();
                        return version;
                    }));
            assertThat(registered.await(30, TimeUnit.SECONDS)).isTrue();
            Future<VersionName> second = threads.submit(
                    () -> QuarkusTransaction.requiringNew().call(() -> registry.register(upload(team, name))));
            await().atMost(Duration.ofSeconds(10)).until(this::aModelInsertWaitsForALock);

            commit.countDown();

            assertThat(first.get(30, TimeUnit.SECONDS).version()).isEqualTo(1);
            assertThat(second.get(30, TimeUnit.SECONDS).version()).isEqualTo(2);
        } finally {
            commit.countDown();
            threads.shutdownNow();
        }
    }

    /** A model's versions come a page at a time, either way round, each with its aliases. */
    @Test
    void versionsAreListedAPageAtATime() throws Exception {
        UUID team = aTeam();
        String teamName = teamName(team);
        String name = "paged-" + UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            QuarkusTransaction.requiringNew().run(() -> registry.register(upload(team, name)));
        }
        as(adminToken())
                .body(Map.of("version", "4"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/champion", teamName, name)
                .then()
                .statusCode(200);
        String versions = "/api/v1/teams/{t}/models/{m}/versions";
        as(adminToken())
                .get(versions, teamName, name)
                .then()
                .statusCode(200)
                .body("version", equalTo(List.of(1, 2, 3, 4, 5)))
                .body("aliases", equalTo(List.of(List.of(), List.of(), List.of(), List.of("champion"), List.of())));
        as(adminToken())
                .get(versions + "?limit=2&offset=1", teamName, name)
                .then()
                .body("version", equalTo(List.of(2, 3)));
        as(adminToken())
                .get(versions + "?order=desc&limit=2", teamName, name)
                .then()
                .body("version", equalTo(List.of(5, 4)))
                .body("[1].aliases", equalTo(List.of("champion")));
        for (String bad : List.of("limit=0", "limit=1001", "offset=-1", "offset=x", "order=newest")) {
            as(adminToken())
                    .get(versions + "?" + bad, teamName, name)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo(bad.substring(0, bad.indexOf('='))));
        }
    }

    private String teamName(UUID team) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT name FROM teams WHERE id = ?")) {
            select.setObject(1, team);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(1);
            }
        }
    }

    private static NewModelVersion upload(UUID team, String name) {
        return new NewModelVersion(
                team, name, null, null, "uploaded", Map.of(), Map.of(), "models/test/" + UUID.randomUUID(), Map.of());
    }

    private UUID aTeam() throws SQLException {
        String name = TestApi.newTeam();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT id FROM teams WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet team = select.executeQuery()) {
                assertThat(team.next()).isTrue();
                return team.getObject(1, UUID.class);
            }
        }
    }

    private boolean aModelInsertWaitsForALock() throws SQLException {
        return LockWaits.aStatementWaits(dataSource, "%insert into models%");
    }
}
