package dev.canopy.api.team;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.unique;
import static io.restassured.RestAssured.given;
import static java.time.temporal.ChronoUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.canopy.api.LockWaits;
import dev.canopy.api.TestApi;
import dev.canopy.api.worker.FakeRunner;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TeamsAndTokensTest {

    @Inject
    TokenService tokenService;

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "canopy.home")
    String home;

    @Test
    void firstStartWroteAnAdminTokenReadableOnlyByItsOwner() throws Exception {
        Path file = Path.of(home, "admin-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        as(adminToken())
                .get("/api/v1/me")
                .then()
                .statusCode(200)
                .body("user", equalTo("admin"))
                .body("platformAdmin", equalTo(true))
                .body("teams.find { it.name == 'default' }.role", equalTo("ADMIN"));
    }

    @Test
    void refusesRequestsWithoutAValidToken() {
        given().get("/api/v1/me")
                .then()
                .statusCode(401)
                .body("code", equalTo("UNAUTHENTICATED"))
                .body("message", equalTo("Missing 'Authorization: Bearer <token>' header"));
        given().auth()
                .oauth2("cnp_not-a-real-token")
                .get("/api/v1/teams/default/datasets")
                .then()
                .statusCode(401)
                .body("code", equalTo("UNAUTHENTICATED"))
                .body("message", equalTo("The bearer token is unknown, revoked or expired"));
    }

    @Test
    void storesOnlyTheHashOfA256BitSecretShownOnce() throws Exception {
        Map<String, Object> created = as(adminToken())
                .body(Map.of("name", "hash-check"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .as(Map.class);
        String secret = (String) created.get("token");
        assertThat(secret).startsWith("cnp_");
        assertThat(Base64.getUrlDecoder().decode(secret.substring(4))).hasSize(32);

        try (Connection c = dataSource.getConnection();
                PreparedStatement q = c.prepareStatement("SELECT * FROM api_tokens WHERE id = ?::uuid")) {
            q.setString(1, (String) created.get("id"));
            try (ResultSet row = q.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString("token_hash")).isEqualTo(TokenSecrets.hash(secret));
                for (int i = 1; i <= row.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(row.getObject(i))).doesNotContain(secret.substring(4));
                }
            }
        }
        as(adminToken()).get("/api/v1/tokens").then().statusCode(200).body("token", not(hasItem(secret)));
    }

    @Test
    void revokedAndExpiredTokensStopWorking() {
        String token = as(adminToken())
                .body(Map.of("name", "short"))
                .post("/api/v1/tokens")
                .then()
                .extract()
                .path("token");
        String id = as(token).get("/api/v1/me").then().statusCode(200).extract().path("token.id");
        as(token).delete("/api/v1/tokens/{id}", id).then().statusCode(204);
        as(token).get("/api/v1/me").then().statusCode(401);

        String expiring = as(adminToken())
                .body(Map.of(
                        "name",
                        "expiring",
                        "expiresAt",
                        Instant.now().plusSeconds(4).toString()))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        as(expiring).get("/api/v1/me").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> as(expiring).get("/api/v1/me").then().statusCode(401));
    }

    @TestHTTPResource("/")
    URI server;

    /**
     * A request is let in when its headers arrive; a body trickled in after them (for as long as the client keeps
     * sending) must not let a token revoked meanwhile write: the token is checked again when the endpoint starts its
     * work, and again before a streamed body's write commits (an intensity trace).
     */
    @Test
    void aTokenRevokedWhileItsRequestsBodyArrivesWritesNothing() throws Exception {
        String team = newTeam();
        TestApi.Member member = TestApi.newMemberWithToken(team, "MEMBER");
        HttpResponse<String> experiment = revokedWhileSending(
                member,
                "POST",
                "api/v1/teams/" + team + "/experiments",
                "application/json",
                "{\"name\": \"trickled\"" + " ".repeat(64 << 10),
                "}");
        assertThat(experiment.statusCode()).as(experiment.body()).isEqualTo(401);

        TestApi.Member admin = TestApi.newMemberWithToken(team, "ADMIN");
        StringBuilder hours = new StringBuilder("timestamp,g_co2e_per_kwh\n");
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        for (int h = 0; h < 3000; h++) {
            hours.append(start.plus(Duration.ofHours(h))).append(",300\n");
        }
        HttpResponse<String> trace = revokedWhileSending(
                admin,
                "PUT",
                "api/v1/teams/" + team + "/carbon/traces/DE",
                "text/csv",
                hours.toString(),
                start.plus(Duration.ofHours(3000)) + ",300\n");
        assertThat(trace.statusCode()).as(trace.body()).isEqualTo(401);

        String reader = newMember(team, "MEMBER");
        as(reader).get("/api/v1/teams/{t}/experiments/trickled", team).then().statusCode(404);
        as(reader)
                .get("/api/v1/teams/{t}/carbon/traces", team)
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
    }

    /** Sends {@code head} of a body, revokes {@code caller}'s token, sends {@code tail}: the answer. */
    private HttpResponse<String> revokedWhileSending(
            TestApi.Member caller, String method, String path, String contentType, String head, String tail)
            throws Exception {
        PipedOutputStream body = new PipedOutputStream();
        PipedInputStream streamed = new PipedInputStream(body, 1 << 20);
        HttpRequest request = HttpRequest.newBuilder(server.resolve(path))
                .header("Authorization", "Bearer " + caller.token())
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> streamed))
                .build();
        CompletableFuture<HttpResponse<String>> answer = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString());
        // Past what the server buffers before it looks at the request: let in, with its body still coming.
        body.write(head.getBytes(StandardCharsets.UTF_8));
        body.flush();
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        as(adminToken()).delete("/api/v1/tokens/{id}", caller.tokenId()).then().statusCode(204);
        body.write(tail.getBytes(StandardCharsets.UTF_8));
        body.close();
        return answer.get(30, TimeUnit.SECONDS);
    }

    /**
     * A leaked token used to make a new one while its owner revokes it: the making waits for the revocation and is
     * refused, rather than leaving a working token behind. The test holds the leaked token's row as a revocation
     * does, and lets the revocation commit meanwhile.
     */
    @Test
    void aTokenMadeWithATokenBeingRevokedIsRefused() throws Exception {
        String[] leaked = tokenMadeWith(newMember(newTeam(), "MEMBER"), "leaked");
        UUID leakedId = UUID.fromString(leaked[0]);

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> LockWaits.execute(c, "SELECT 1 FROM api_tokens WHERE id = ? FOR UPDATE", leakedId),
                "%api_tokens%",
                () -> as(leaked[1])
                        .body(Map.of("name", "made-meanwhile"))
                        .post("/api/v1/tokens")
                        .statusCode(),
                c -> LockWaits.execute(c, "UPDATE api_tokens SET revoked_at = now() WHERE id = ?", leakedId));

        assertThat(status).isEqualTo(401);
        assertThat(count("SELECT count(*) FROM api_tokens WHERE made_with = ?", leakedId))
                .isZero();
    }

    /**
     * A revocation with cascade that comes while a token is being made with one of the revoked token's offspring: it
     * waits for that token and revokes it too. The test plays the making (holding the maker's row, as making a token
     * does, and inserting the new token).
     */
    @Test
    void aCascadeRevokesATokenMadeWhileItRan() throws Exception {
        String owner = newMember(newTeam(), "MEMBER");
        String[] leaked = tokenMadeWith(owner, "leaked");
        UUID child = UUID.fromString(tokenMadeWith(leaked[1], "child")[0]);
        UUID madeMeanwhile = UUID.randomUUID();

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> {
                    LockWaits.execute(c, "SELECT 1 FROM api_tokens WHERE id = ? FOR SHARE", child);
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO api_tokens (id, user_id, name,"
                            + " token_hash, created_at, made_with) SELECT ?, user_id, 'made-meanwhile', md5(random()"
                            + "::text) || md5(random()::text), now(), id FROM api_tokens WHERE id = ?")) {
                        insert.setObject(1, madeMeanwhile);
                        insert.setObject(2, child);
                        insert.executeUpdate();
                    }
                },
                "%api_tokens%",
                () -> as(owner)
                        .delete("/api/v1/tokens/{id}?cascade=true", leaked[0])
                        .statusCode(),
                c -> {});

        assertThat(status).isEqualTo(204);
        assertThat(count("SELECT count(*) FROM api_tokens WHERE id = ? AND revoked_at IS NOT NULL", madeMeanwhile))
                .isEqualTo(1);
    }

    private int count(String sql, UUID id) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            select.setObject(1, id);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** A new token made with {@code maker}: its id and secret. */
    private static String[] tokenMadeWith(String maker, String name) {
        var made = as(maker)
                .body(Map.of("name", name))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        return new String[] {made.getString("id"), made.getString("token")};
    }

    private static int meStatus(String token) {
        return as(token).get("/api/v1/me").then().extract().statusCode();
    }

    @Test
    void aTokenShowsWhichTokenMadeItAndCanBeRevokedWithAllItMade() {
        String first = newMember(newTeam(), "MEMBER");
        String firstId = as(first).get("/api/v1/me").then().extract().path("token.id");
        String[] child = tokenMadeWith(first, "child");
        String[] grandchild = tokenMadeWith(child[1], "grandchild");
        String[] rotated = tokenMadeWith(first, "rotated");
        List<Map<String, Object>> listed = as(rotated[1])
                .get("/api/v1/tokens")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        assertThat(listed)
                .anySatisfy(t -> assertThat(t).containsEntry("id", child[0]).containsEntry("madeWith", firstId))
                .anySatisfy(
                        t -> assertThat(t).containsEntry("id", grandchild[0]).containsEntry("madeWith", child[0]));

        // Rotation: a token made with one that is then revoked keeps working.
        String[] old = tokenMadeWith(rotated[1], "old");
        String[] successor = tokenMadeWith(old[1], "successor");
        as(rotated[1]).delete("/api/v1/tokens/{id}", old[0]).then().statusCode(204);
        assertThat(meStatus(old[1])).isEqualTo(401);
        assertThat(meStatus(successor[1])).isEqualTo(200);

        // Anything but true or false is refused: a plain revoke would pass for a cascade.
        as(rotated[1])
                .delete("/api/v1/tokens/{id}?cascade=yes", child[0])
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("cascade"));
        assertThat(meStatus(child[1])).isEqualTo(200);
        // A leak: the child and everything made with it go together; the first token and its other offspring stay.
        as(rotated[1])
                .delete("/api/v1/tokens/{id}?cascade=true", child[0])
                .then()
                .statusCode(204);
        assertThat(meStatus(child[1])).isEqualTo(401);
        assertThat(meStatus(grandchild[1])).isEqualTo(401);
        assertThat(meStatus(first)).isEqualTo(200);
        assertThat(meStatus(rotated[1])).isEqualTo(200);
        assertThat(meStatus(successor[1])).isEqualTo(200);
    }

    @Test
    void refusesATokenThatExpiresInThePast() {
        as(adminToken())
                .body(Map.of("name", "past", "expiresAt", "2020-01-01T00:00:00Z"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("expiresAt"));
        // Nor one PostgreSQL could not store (that was a 500).
        for (String path : List.of("/api/v1/tokens", "/api/v1/workers/tokens")) {
            as(adminToken())
                    .body(Map.of("name", "far", "expiresAt", "+300000-12-31T23:59:59Z"))
                    .post(path)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("expiresAt"));
        }
        // A five-digit year without its "+" is no ISO-8601 instant at all: the message says what one is.
        as(adminToken())
                .body(Map.of("name", "far", "expiresAt", "10000-01-01T00:00:00Z"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("expiresAt"))
                .body(
                        "details[0].problem",
                        equalTo("must be an ISO-8601 instant up to the year 9999, such as" + " 2026-12-31T23:59:59Z"));
    }

    @Test
    void onlyPlatformAdminsCreateTeamsAndUsers() {
        String team = newTeam();
        String admin = newMember(team, "ADMIN");
        as(admin)
                .body(Map.of("name", unique("t")))
                .post("/api/v1/teams")
                .then()
                .statusCode(403)
                .body("code", equalTo("FORBIDDEN"));
        as(admin).body(Map.of("name", unique("u"))).post("/api/v1/users").then().statusCode(403);
        as(adminToken())
                .body(Map.of("name", team))
                .post("/api/v1/teams")
                .then()
                .statusCode(409)
                .body("code", equalTo("CONFLICT"));
    }

    @Test
    void teamAdminsManageMembersAndKeepAtLeastOneAdmin() {
        String team = newTeam();
        String member = newMember(team, "MEMBER");
        as(member)
                .body(Map.of("user", "admin", "role", "VIEWER"))
                .post("/api/v1/teams/{team}/members", team)
                .then()
                .statusCode(403);
        as(adminToken())
                .body(Map.of("user", "admin", "role", "VIEWER"))
                .post("/api/v1/teams/{team}/members", team)
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"))
                .body(
                        "message",
                        equalTo("team '" + team + "' must keep at least one admin: make another member an admin"
                                + " first"));
        as(adminToken())
                .delete("/api/v1/teams/{team}/members/{user}", team, "admin")
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"));
        as(member)
                .get("/api/v1/teams/{team}/members", team)
                .then()
                .statusCode(200)
                .body("size()", equalTo(2));
    }

    @Test
    void aTokenNarrowedToATeamAndRoleCannotReachFurther() {
        String team = newTeam();
        String other = newTeam();
        String narrowed = as(adminToken())
                .body(Map.of("name", "narrow", "team", team, "role", "VIEWER"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        as(narrowed).get("/api/v1/teams/{team}", team).then().statusCode(200).body("role", equalTo("VIEWER"));
        as(narrowed).get("/api/v1/teams/{team}", other).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        as(narrowed)
                .body(Map.of("name", "d"))
                .post("/api/v1/teams/{team}/datasets", team)
                .then()
                .statusCode(403);
        as(narrowed)
                .body(Map.of("name", unique("t")))
                .post("/api/v1/teams")
                .then()
                .statusCode(403);

        // A token made with a narrowed token is narrowed the same way.
        String derived = as(narrowed)
                .body(Map.of("name", "derived", "role", "ADMIN"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .body("team", equalTo(team))
                .body("role", equalTo("VIEWER"))
                .extract()
                .path("token");
        as(derived).get("/api/v1/teams/{team}", other).then().statusCode(404);
        as(narrowed)
                .body(Map.of("name", "other", "team", other))
                .post("/api/v1/tokens")
                .then()
                .statusCode(404);
    }

    /** Posts {@code body} to {@code path} with {@code token} (201 expected); the new token's {@code field}. */
    private static String issued(String token, String path, Map<String, Object> body, String field) {
        return as(token).body(body).post(path).then().statusCode(201).extract().path(field);
    }

    @Test
    void aTokenMadeWithAnExpiringTokenExpiresWithItAtTheLatest() {
        String member = newMember(newTeam(), "MEMBER");
        Instant soon = Instant.now().plus(Duration.ofHours(1));
        String expiring =
                issued(member, "/api/v1/tokens", Map.of("name", "expiring", "expiresAt", soon.toString()), "token");

        String unlimited = issued(expiring, "/api/v1/tokens", Map.of("name", "child"), "expiresAt");
        Instant wanted = soon.plus(Duration.ofDays(30));
        String later = issued(
                expiring, "/api/v1/tokens", Map.of("name", "child", "expiresAt", wanted.toString()), "expiresAt");
        Instant sooner = soon.minus(Duration.ofMinutes(30));
        String earlier = issued(
                expiring, "/api/v1/tokens", Map.of("name", "child", "expiresAt", sooner.toString()), "expiresAt");

        assertThat(Instant.parse(unlimited)).isEqualTo(Instant.parse(later)).isCloseTo(soon, within(1, SECONDS));
        assertThat(Instant.parse(earlier)).isCloseTo(sooner, within(1, SECONDS));
        // A year past 9999 is refused as it is for any token, not capped to the maker's expiry.
        as(expiring)
                .body(Map.of("name", "child", "expiresAt", "+300000-12-31T23:59:59Z"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("expiresAt"));
    }

    @Test
    void noKindOfTokenOutlivesTheTokenThatMadeIt() {
        String team = newTeam();
        String admin = newMember(team, "ADMIN");
        Instant soon = Instant.now().plus(Duration.ofHours(1));
        Map<String, Object> expiring = Map.of("name", "expiring", "expiresAt", soon.toString());
        String expiringAdmin = issued(admin, "/api/v1/tokens", expiring, "token");
        String expiringPlatformAdmin = issued(adminToken(), "/api/v1/tokens", expiring, "token");
        // A user without a token yet, whose first token the platform admin issues.
        String user = unique("first");
        as(adminToken()).body(Map.of("name", user)).post("/api/v1/users").then().statusCode(201);

        List<String> expiries = List.of(
                issued(expiringAdmin, "/api/v1/workers/tokens", Map.of("name", "node", "team", team), "expiresAt"),
                issued(
                        expiringPlatformAdmin,
                        "/api/v1/users/" + user + "/tokens",
                        Map.of("name", "first"),
                        "expiresAt"),
                issued(
                        expiringPlatformAdmin,
                        "/api/v1/workers/tokens",
                        Map.of(
                                "name",
                                "node",
                                "expiresAt",
                                soon.plus(Duration.ofDays(1)).toString()),
                        "expiresAt"));

        for (String expiresAt : expiries) {
            assertThat(Instant.parse(expiresAt)).isCloseTo(soon, within(1, SECONDS));
        }
    }

    /**
     * A platform admin issues a user's first token, or a new one once all of theirs are revoked; not a token of a
     * user who has one, which would let the admin act as them in teams the admin is not in.
     */
    @Test
    void aPlatformAdminCannotIssueATokenForAUserWhoHasOne() {
        String team = newTeam();
        TestApi.Member member = TestApi.newMemberWithToken(team, "MEMBER");
        as(adminToken())
                .body(Map.of("name", "as-them", "team", team))
                .post("/api/v1/users/{user}/tokens", member.user())
                .then()
                .statusCode(409)
                .body("code", equalTo("INVALID_STATE"))
                .body("message", startsWith("user " + member.user() + " has 1 usable token(s)"));

        // Lost: revoked, and a new one issued.
        as(adminToken()).delete("/api/v1/tokens/{id}", member.tokenId()).then().statusCode(204);
        String again = as(adminToken())
                .body(Map.of("name", "again"))
                .post("/api/v1/users/{user}/tokens", member.user())
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        as(again).get("/api/v1/teams/{t}/datasets", team).then().statusCode(200);
    }

    @Test
    void aNarrowedTokenSeesAndRevokesOnlyTokensNoWiderThanItself() {
        String team = newTeam();
        String admin = newMember(team, "ADMIN");
        String wideId = as(admin).get("/api/v1/tokens").then().extract().path("[0].id");
        Map<String, Object> viewer = as(admin)
                .body(Map.of("name", "viewer", "team", team, "role", "VIEWER"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .as(Map.class);
        String narrowed = (String) viewer.get("token");
        String childId = as(narrowed)
                .body(Map.of("name", "child"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        as(narrowed)
                .get("/api/v1/tokens")
                .then()
                .statusCode(200)
                .body("id", not(hasItem(wideId)))
                .body("id", hasItem(viewer.get("id")))
                .body("id", hasItem(childId));
        as(narrowed).delete("/api/v1/tokens/{id}", wideId).then().statusCode(404);
        as(admin).get("/api/v1/me").then().statusCode(200);
        as(narrowed).delete("/api/v1/tokens/{id}", childId).then().statusCode(204);
        as(admin).get("/api/v1/tokens").then().body("id", hasItem(wideId)).body("id", hasItem(childId));
    }

    @Test
    void aTeamsAdminsListAndRevokeItsRunnerTokensWhoeverMadeThem() {
        String team = newTeam();
        String admin = newMember(team, "ADMIN");
        String leaving = newMember(team, "ADMIN");
        String runnerTokenId = as(leaving)
                .body(Map.of("name", "node-1", "team", team))
                .post("/api/v1/workers/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String leaver = as(leaving).get("/api/v1/me").then().extract().path("user");
        as(admin).delete("/api/v1/teams/{t}/members/{u}", team, leaver).then().statusCode(204);

        as(admin)
                .get("/api/v1/workers/tokens?team={t}", team)
                .then()
                .statusCode(200)
                .body("id", hasItem(runnerTokenId))
                .body("find { it.id == '" + runnerTokenId + "' }.kind", equalTo("RUNNER"))
                .body("find { it.id == '" + runnerTokenId + "' }.user", equalTo(leaver));
        String member = newMember(team, "MEMBER");
        as(member).get("/api/v1/workers/tokens?team={t}", team).then().statusCode(403);
        as(member).delete("/api/v1/tokens/{id}", runnerTokenId).then().statusCode(404);
        as(newMember(newTeam(), "ADMIN"))
                .get("/api/v1/workers/tokens?team={t}", team)
                .then()
                .statusCode(404);
        as(admin).get("/api/v1/workers/tokens").then().statusCode(403);

        as(admin).delete("/api/v1/tokens/{id}", runnerTokenId).then().statusCode(204);
        as(admin)
                .get("/api/v1/workers/tokens?team={t}", team)
                .then()
                .body("find { it.id == '" + runnerTokenId + "' }.revokedAt", not(nullValue()));
    }

    @Test
    void viewersReadButCannotWrite() {
        String team = newTeam();
        String viewer = newMember(team, "VIEWER");
        as(viewer).get("/api/v1/teams/{team}/datasets", team).then().statusCode(200);
        as(viewer)
                .body(Map.of("name", "x"))
                .post("/api/v1/teams/{team}/datasets", team)
                .then()
                .statusCode(403)
                .body("code", equalTo("FORBIDDEN"))
                .body("message", equalTo("Role VIEWER in team '" + team + "' may not do this; it needs MEMBER"));
        as(viewer).get("/api/v1/me").then().body("token.team", nullValue());
    }

    /** A platform admin outside the team manages its members, and is answered with the list, not a 404. */
    @Test
    void aPlatformAdminOutsideATeamAddsAMemberAndSeesTheMembers() {
        String team = newTeam();
        String platformAdmin = unique("root");
        as(adminToken())
                .body(Map.of("name", platformAdmin, "platformAdmin", true))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        String token = as(adminToken())
                .body(Map.of("name", "test"))
                .post("/api/v1/users/{user}/tokens", platformAdmin)
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        String user = unique("user");
        as(adminToken()).body(Map.of("name", user)).post("/api/v1/users").then().statusCode(201);

        as(token)
                .body(Map.of("user", user, "role", "MEMBER"))
                .post("/api/v1/teams/{team}/members", team)
                .then()
                .statusCode(201)
                .body("find { it.user == '" + user + "' }.role", equalTo("MEMBER"));
        // Members only, not the team's data.
        as(token).get("/api/v1/teams/{team}/members", team).then().statusCode(200);
        as(token).get("/api/v1/teams/{team}/datasets", team).then().statusCode(404);
    }

    /**
     * Two admins removing each other at once: the second change counts the admins after the first committed, so the
     * team keeps one. The test holds the team and the removed member's row, lets the other admin be demoted, then
     * lets the removal go on.
     */
    @Test
    void twoAdminsRemovingEachOtherAtOnceLeaveTheTeamAnAdmin() throws Exception {
        String team = newTeam();
        String other =
                as(newMember(team, "ADMIN")).get("/api/v1/me").then().extract().path("user");
        UUID teamId = LockWaits.id(dataSource, "SELECT id FROM teams WHERE name = ?", team);
        UUID otherMembership = LockWaits.id(
                dataSource, "SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.name = ?", other);
        UUID adminMembership = LockWaits.id(
                dataSource,
                "SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id"
                        + " WHERE u.name = 'admin' AND t.name = ?",
                team);

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> {
                    LockWaits.execute(c, "SELECT 1 FROM teams WHERE id = ? FOR UPDATE", teamId);
                    LockWaits.execute(c, "SELECT 1 FROM memberships WHERE id = ? FOR UPDATE", otherMembership);
                },
                "%(from teams|from memberships)%",
                () -> as(adminToken())
                        .delete("/api/v1/teams/{team}/members/{user}", team, other)
                        .statusCode(),
                // The other admin demotes this one meanwhile.
                c -> LockWaits.execute(c, "UPDATE memberships SET role = 'MEMBER' WHERE id = ?", adminMembership));

        assertThat(status).isEqualTo(409);
        as(adminToken())
                .get("/api/v1/teams/{team}/members", team)
                .then()
                .statusCode(200)
                .body("find { it.user == '" + other + "' }.role", equalTo("ADMIN"));
    }

    /**
     * An embedded runner's start revokes the earlier embedded runners' tokens of its name only: a team's runner token
     * given that name (anyone can read it off the workers list) was revoked at each restart.
     */
    @Test
    void anEmbeddedRunnersStartRevokesOnlyEarlierEmbeddedTokensOfItsName() {
        String team = newTeam();
        String admin = newMember(team, "ADMIN");
        String name = unique("embedded-vm-0");
        String teams = as(admin)
                .body(Map.of("name", name, "team", team))
                .post("/api/v1/workers/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");

        String first = tokenService.issueEmbeddedRunnerToken(name);
        String second = tokenService.issueEmbeddedRunnerToken(name);

        FakeRunner.tryRegister(first, unique("first"), 0, Map.of()).then().statusCode(401);
        FakeRunner.tryRegister(second, unique("second"), 0, Map.of()).then().statusCode(200);
        FakeRunner.tryRegister(teams, unique("teams"), 0, Map.of()).then().statusCode(200);
    }
}
