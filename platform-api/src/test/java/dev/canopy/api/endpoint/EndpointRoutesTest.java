package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.LockWaits;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The route cache of one control plane around a change made in it. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class EndpointRoutesTest {

    @Inject
    EndpointRoutes routes;

    @Inject
    EndpointRepository endpoints;

    @Inject
    ModelService models;

    @Inject
    ServingConfig config;

    @Inject
    AgroalDataSource dataSource;

    TrainedModels trained;
    String name;
    Endpoint endpoint;
    TeamScope scope;
    /** When {@link #cachedRoute} had the route cached (read a moment before). */
    long cachedAt;

    /** An endpoint with version 1 live, its route cached. */
    @BeforeEach
    void cachedRoute() {
        trained = TrainedModels.get();
        name = trained.newEndpoint("routes");
        as(trained.token)
                .body(Map.of("version", "1"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name)
                .then()
                .statusCode(201);
        endpoint = QuarkusTransaction.requiringNew()
                .call(() -> endpoints.find("name", name).firstResult());
        scope = new TeamScope(endpoint.teamId, trained.team, null, null);
        assertThat(routes.route(scope, name).live().version()).isEqualTo(1);
        cachedAt = System.currentTimeMillis();
    }

    @Test
    void aChangeIsRoutedOnFromTheMomentItCommitsNotWhenItEnds() {
        RegisteredVersion second =
                QuarkusTransaction.requiringNew().call(() -> models.resolve(scope, TrainedModels.MODEL, "2"));

        routes.change(() -> {
            QuarkusTransaction.requiringNew().run(() -> endpoints
                    .findByIdForUpdate(endpoint.id)
                    .orElseThrow()
                    .goLive(second.id(), DatabaseTime.now()));
            // Committed; the change has not ended yet (the canary watch and unloading come after): a request
            // routed now goes to the new version, not to the route cached before.
            assertThat(routes.route(scope, name).live().version()).isEqualTo(2);
            return null;
        });

        assertThat(routes.route(scope, name).live().version()).isEqualTo(2);
    }

    @Test
    void anExpiredRouteIsReadAgainByOneRequestWhileTheOthersRouteOnItUpToTwiceTheTtl() throws Exception {
        long ttl = config.routeCacheTtl().toMillis();
        RegisteredVersion second =
                QuarkusTransaction.requiringNew().call(() -> models.resolve(scope, TrainedModels.MODEL, "2"));
        // Committed as another control plane would: the route cached here does not know of it.
        QuarkusTransaction.requiringNew()
                .run(() ->
                        endpoints.findByIdForUpdate(endpoint.id).orElseThrow().goLive(second.id(), DatabaseTime.now()));
        // Expired, and younger than twice the TTL while the first two requests below route.
        cachedFor(ttl + 50);

        ExecutorService requests = Executors.newFixedThreadPool(3);
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                // Holds every read of the endpoints table until rolled back.
                statement.execute("LOCK TABLE endpoints IN ACCESS EXCLUSIVE MODE");
            }
            Future<Route> reader = requests.submit(() -> routes.route(scope, name));
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(this::aRouteReadWaitsForTheLock);

            // The read is in flight: a second request routes on the expired route instead of reading too.
            Future<Route> other = requests.submit(() -> routes.route(scope, name));
            assertThat(other.get(5, TimeUnit.SECONDS).live().version()).isEqualTo(1);
            assertThat(reader.isDone()).isFalse();

            // Twice the TTL old: a request no longer takes the expired route, it reads (and waits) too.
            cachedFor(2 * ttl + 50);
            Future<Route> late = requests.submit(() -> routes.route(scope, name));
            assertThatThrownBy(() -> late.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

            lock.rollback();
            assertThat(reader.get(10, TimeUnit.SECONDS).live().version()).isEqualTo(2);
            assertThat(late.get(10, TimeUnit.SECONDS).live().version()).isEqualTo(2);
        } finally {
            requests.shutdownNow();
        }
        assertThat(routes.route(scope, name).live().version()).isEqualTo(2);
    }

    /** Waits until the route cached in {@link #cachedRoute} is at least {@code millis} old. */
    private void cachedFor(long millis) {
        await().atMost(Duration.ofMillis(millis + 5_000))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> System.currentTimeMillis() >= cachedAt + millis);
    }

    private boolean aRouteReadWaitsForTheLock() throws SQLException {
        // A route's read names the endpoint; the serving sweeper's read of all endpoints does not.
        return LockWaits.aStatementWaits(dataSource, "%from endpoints%name%");
    }

    @Test
    void aDeletedEndpointIsNotRoutedFromTheCache() {
        as(trained.token)
                .delete("/api/v1/teams/{t}/endpoints/{e}", trained.team, name)
                .then()
                .statusCode(204);

        assertThatThrownBy(() -> routes.route(scope, name)).isInstanceOf(NotFound.class);
    }
}
