package dev.canopy.api.team;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Access checks are cached between requests, and a change to tokens or memberships reaches the next request: at
 * once on the control plane that made it, and through the database's NOTIFY when it was made elsewhere (another
 * control plane, or SQL by an operator).
 */
@QuarkusTest
class AccessCacheTest {

    @Inject
    AccessCache cache;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void listenerIsConnected() {
        await().atMost(Duration.ofSeconds(10)).until(cache::isListening);
    }

    @Test
    void keepsWhatItFoundUntilTheDatabaseSignalsAChange() throws Exception {
        UUID user = UUID.randomUUID();
        AtomicInteger loads = new AtomicInteger();
        Supplier<Optional<AccessCache.Member>> load = () -> {
            loads.incrementAndGet();
            return Optional.of(new AccessCache.Member(UUID.randomUUID(), "t", Role.MEMBER));
        };
        AccessCache.Member first = cache.member(user, "t", load).orElseThrow();
        assertThat(cache.member(user, "t", load)).contains(first);
        assertThat(loads).hasValue(1);

        // A statement trigger fires even when no row matches: what another control plane's change looks like here.
        sql("UPDATE memberships SET role = role WHERE false");

        await().atMost(Duration.ofSeconds(10)).until(() -> cache.member(user, "t", load)
                .filter(m -> !m.equals(first))
                .isPresent());
        assertThat(loads).hasValue(2);
    }

    @Test
    void cachesNothingWhileChangesCannotBeHeard() {
        UUID user = UUID.randomUUID();
        AtomicInteger loads = new AtomicInteger();
        Supplier<Optional<AccessCache.Member>> load = () -> {
            loads.incrementAndGet();
            return Optional.of(new AccessCache.Member(UUID.randomUUID(), "t", Role.VIEWER));
        };
        cache.member(user, "t", load);
        // What the listener reports when its connection drops; it reports true again once it listens anew.
        cache.listening(false);
        try {
            cache.member(user, "t", load);
            cache.member(user, "t", load);
            assertThat(loads).hasValue(3);
        } finally {
            cache.listening(true);
        }
        cache.member(user, "t", load);
        cache.member(user, "t", load);
        assertThat(loads).hasValue(4);
    }

    @Test
    void neverKeepsWhatItDidNotFind() {
        AtomicInteger loads = new AtomicInteger();
        Supplier<Optional<AccessCache.TokenCaller>> missing = () -> {
            loads.incrementAndGet();
            return Optional.empty();
        };
        assertThat(cache.token("no-such-hash", missing)).isEmpty();
        assertThat(cache.token("no-such-hash", missing)).isEmpty();
        assertThat(loads).hasValue(2);
    }

    @Test
    void aRevokedTokenFailsOnTheNextRequest() {
        String token = as(adminToken())
                .body(Map.of("name", "cached"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        String id = as(token).get("/api/v1/me").then().statusCode(200).extract().path("token.id");
        as(token).get("/api/v1/me").then().statusCode(200);

        as(adminToken()).delete("/api/v1/tokens/{id}", id).then().statusCode(204);

        as(token).get("/api/v1/me").then().statusCode(401);
    }

    @Test
    void aDemotedOrRemovedMemberIsRefusedOnTheNextRequest() {
        String team = newTeam();
        String token = newMember(team, "MEMBER");
        String user = as(token).get("/api/v1/me").then().extract().path("user");
        as(token)
                .body(Map.of("name", "d1"))
                .post("/api/v1/teams/{team}/datasets", team)
                .then()
                .statusCode(201);

        as(adminToken())
                .body(Map.of("user", user, "role", "VIEWER"))
                .post("/api/v1/teams/{team}/members", team)
                .then()
                .statusCode(200);
        as(token)
                .body(Map.of("name", "d2"))
                .post("/api/v1/teams/{team}/datasets", team)
                .then()
                .statusCode(403);
        as(token).get("/api/v1/teams/{team}/datasets", team).then().statusCode(200);

        as(adminToken())
                .delete("/api/v1/teams/{team}/members/{user}", team, user)
                .then()
                .statusCode(204);
        as(token).get("/api/v1/teams/{team}/datasets", team).then().statusCode(404);
    }

    @Test
    void aChangeMadeInTheDatabaseReachesRequestsWithinMoments() throws Exception {
        String team = newTeam();
        String token = newMember(team, "MEMBER");
        String tokenId = as(token).get("/api/v1/me").then().extract().path("token.id");
        as(token).get("/api/v1/teams/{team}/datasets", team).then().statusCode(200);

        sql("UPDATE api_tokens SET revoked_at = now() WHERE id = '" + UUID.fromString(tokenId) + "'");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> as(token)
                .get("/api/v1/teams/{team}/datasets", team)
                .then()
                .statusCode(401));
    }

    private void sql(String statement) throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
