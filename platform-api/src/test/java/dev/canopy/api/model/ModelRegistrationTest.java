package dev.canopy.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Registering versions of a model that does not exist yet, from two transactions at once. */
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
