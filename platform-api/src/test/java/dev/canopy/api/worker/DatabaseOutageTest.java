package dev.canopy.api.worker;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.agroal.api.security.SimplePassword;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The database refusing every connection for longer than a lease (a failover, say) while a run trains: the runner's
 * heartbeats fail and so does every reaper pass. Once it is back, the reaper's first pass sees that reaping had
 * stopped and gives the lease one more lease, so the runner's next heartbeat keeps its attempt.
 */
@QuarkusTest
@TestProfile(QueueProtocolTest.ShortLeases.class)
class DatabaseOutageTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aRunKeepsItsAttemptThroughADatabaseOutageLongerThanALease() throws Exception {
        FakeRunner.RunnerTeam fixture = FakeRunner.newRunnerTeam();
        String run = QueueProtocolTest.submit(fixture.owner(), fixture.team(), "tabular-classification", 0);
        FakeRunner runner = FakeRunner.register(fixture.runnerToken(), unique("outage"), 0);
        assertThat(runner.claim(0, 0)).containsEntry("runId", run).containsEntry("attempt", 1);
        runner.heartbeat(run, 1).then().statusCode(200);

        Timestamp leaseEnd;
        String database;
        try (Connection c = dataSource.getConnection()) {
            database = single(c, "SELECT current_database()", String.class);
            leaseEnd = single(c, "SELECT lease_until FROM run_queue WHERE run_id = '" + run + "'", Timestamp.class);
        }
        // From another database of the server: the platform's refuses new connections and ends every other.
        try (Connection admin = maintenanceConnection()) {
            Timestamp back;
            try {
                execute(admin, "ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS false");
                execute(
                        admin,
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
                // The connection the pool hands out next was ended: the platform says to try again.
                runner.heartbeat(run, 1)
                        .then()
                        .statusCode(503)
                        .header("Retry-After", "5")
                        .body("code", equalTo("INTERNAL"))
                        .body("message", containsString("database cannot be reached"));
                // Down until the lease (4 s) is 2 s past its end.
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> single(admin, "SELECT now() - interval '2 seconds'", Timestamp.class)
                                .after(leaseEnd));
            } finally {
                execute(admin, "ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS true");
            }
            back = single(admin, "SELECT now()", Timestamp.class);
            // A reaper pass after the outage, before the runner is heard again.
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> {
                        try (Connection c = dataSource.getConnection()) {
                            return single(c, "SELECT last_pass FROM reaper_clock", Timestamp.class)
                                    .after(back);
                        }
                    });
        }
        AtomicReference<Response> heard = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    heard.set(runner.heartbeat(run, 1));
                    return heard.get().statusCode() == 200;
                });
        heard.get().then().body("lost", not(hasItem(run)));
        as(fixture.owner())
                .get("/api/v1/teams/{t}/runs/{r}", fixture.team(), run)
                .then()
                .body("status", equalTo("RUNNING"))
                .body("attempt", equalTo(1));
        // The grace is one lease, not for ever: a runner that stays silent loses the run, even while every pass
        // finds the clock old (a control plane started with a shorter reaper-every than the cluster's schedule).
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        execute(c, "UPDATE reaper_clock SET last_pass = now() - interval '1 hour'");
                    }
                    return as(fixture.owner())
                            .get("/api/v1/teams/{t}/runs/{r}", fixture.team(), run)
                            .then()
                            .extract()
                            .path("status")
                            .equals("QUEUED");
                });
    }

    /**
     * A connection to the server's {@code template1} database (the platform's may be {@code postgres}), as the
     * platform's user.
     */
    private Connection maintenanceConnection() throws SQLException {
        AgroalConnectionFactoryConfiguration factory =
                dataSource.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration();
        Properties login = new Properties();
        login.setProperty("user", factory.principal().getName());
        factory.credentials().stream()
                .filter(SimplePassword.class::isInstance)
                .findFirst()
                .ifPresent(p -> login.setProperty("password", ((SimplePassword) p).getWord()));
        String url = factory.jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/template1$1");
        return DriverManager.getConnection(url, login);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    private static <T> T single(Connection c, String sql, Class<T> type) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql);
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getObject(1, type);
        }
    }
}
