package dev.canopy.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged platform as a user runs it ({@code java -jar}): the embedded database keeps everything across a
 * stop and start and across a kill (the next start takes over from the PostgreSQL the killed one left running),
 * two platforms with different homes run side by side while a second one on a home in use is refused, and the
 * log names the admin token's file but never the token.
 */
class PlatformProcessIT {

    private final List<PlatformProcess> platforms = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (PlatformProcess p : platforms) {
            p.close();
        }
    }

    private PlatformProcess start(Path home) throws Exception {
        PlatformProcess platform = PlatformProcess.start(home, Map.of());
        platforms.add(platform);
        return platform;
    }

    @Test
    void keepsDataAcrossRestartsAndRunsBesideAnotherHome() throws Exception {
        Path homeA = TempDirectories.create("canopy-it-a");
        Path homeB = TempDirectories.create("canopy-it-b");
        PlatformProcess a = start(homeA);
        PlatformProcess b = start(homeB);

        String tokenA = a.adminToken();
        String tokenB = b.adminToken();
        assertThat(tokenA).isNotEqualTo(tokenB);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(homeA.resolve("admin-token"))))
                .isEqualTo("rw-------");

        String run = seed(a, tokenA);
        given().baseUri(b.baseUrl())
                .auth()
                .oauth2(tokenB)
                .get("/api/v1/teams/default/datasets")
                .then()
                .body("size()", equalTo(0));
        given().baseUri(b.baseUrl())
                .auth()
                .oauth2(tokenA)
                .get("/api/v1/me")
                .then()
                .statusCode(401);

        // Text a client chose stays on its log line (OneLineLogMessages): it cannot forge one.
        given().baseUri(a.baseUrl())
                .auth()
                .oauth2(tokenA)
                .contentType("application/json")
                .body(Map.of("name", "x\n2026-11-27 09:40:00,000 INFO  [forged] line"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201);
        assertThat(a.output())
                .contains("admin token written to " + homeA.resolve("admin-token"))
                .contains("('x\\n2026-11-27 09:40:00,000 INFO  [forged] line')")
                .doesNotContain("\n2026-11-27 09:40:00,000")
                .doesNotContain(tokenA);

        assertThat(a.stop()).isTrue();
        PlatformProcess again = start(homeA);
        assertThat(again.adminToken()).isEqualTo(tokenA);
        given().baseUri(again.baseUrl())
                .auth()
                .oauth2(tokenA)
                .get("/api/v1/teams/default/runs/{r}", run)
                .then()
                .statusCode(200)
                .body("params.lr", equalTo("0.1"))
                .body("latestMetrics.loss", equalTo(0.25f));
        given().baseUri(again.baseUrl())
                .auth()
                .oauth2(tokenA)
                .get("/api/v1/teams/default/datasets/kept/versions/1/content")
                .then()
                .statusCode(200)
                .body(equalTo("a,b\n1,2\n"));
        assertThat(again.output()).doesNotContain("First start").doesNotContain(tokenA);
    }

    @Test
    void startsAgainAfterBeingKilledTakingOverFromItsOrphanedDatabase() throws Exception {
        Path home = TempDirectories.create("canopy-it-killed");
        PlatformProcess killed = start(home);
        String token = killed.adminToken();
        String run = seed(killed, token);

        killed.kill();
        long orphan = Long.parseLong(
                Files.readAllLines(home.resolve("pgdata/postmaster.pid")).get(0).trim());
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

        PlatformProcess again = start(home);
        assertThat(again.output())
                .contains("left running in " + home.resolve("pgdata") + " by a platform that was" + " killed");
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        given().baseUri(again.baseUrl())
                .auth()
                .oauth2(token)
                .get("/api/v1/teams/default/runs/{r}", run)
                .then()
                .statusCode(200)
                .body("params.lr", equalTo("0.1"));
    }

    @Test
    void refusesAHomeThatAnotherRunningPlatformUses() throws Exception {
        Path home = TempDirectories.create("canopy-it-shared");
        start(home);

        assertThatThrownBy(() -> start(home)).hasMessageContaining("exited");
        String log;
        try (var logs = Files.list(home)) {
            log = logs.filter(f -> f.getFileName().toString().startsWith("platform-"))
                    .map(PlatformProcessIT::read)
                    .filter(text -> text.contains("Another Canopy platform is running on " + home))
                    .findFirst()
                    .orElse("");
        }
        assertThat(log).contains("stop it, or give this one another CANOPY_HOME");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String seed(PlatformProcess p, String token) {
        var api = given().baseUri(p.baseUrl()).auth().oauth2(token).contentType(ContentType.JSON);
        api.body(Map.of("name", "kept"))
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(201);
        given().baseUri(p.baseUrl())
                .auth()
                .oauth2(token)
                .contentType("text/csv")
                .body("a,b\n1,2\n")
                .post("/api/v1/teams/default/datasets/kept/versions")
                .then()
                .statusCode(201);
        given().baseUri(p.baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "e"))
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(201);
        String run = given().baseUri(p.baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("experiment", "e", "params", Map.of("lr", "0.1")))
                .post("/api/v1/teams/default/runs")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().baseUri(p.baseUrl())
                .auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("points", List.of(Map.of("key", "loss", "step", 3, "value", 0.25))))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(200);
        return run;
    }
}
