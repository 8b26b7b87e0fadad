package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static dev.canopy.api.TestApi.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.team.Role;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.Batching;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Micro-batching set per endpoint: defaults, changes, their audit record, validation, and what serving uses. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class EndpointBatchingTest {

    @Inject
    EndpointRepository endpoints;

    @Inject
    EndpointRoutes routes;

    TrainedModels models;
    String endpoint;

    @BeforeEach
    void endpoint() {
        models = TrainedModels.get();
        endpoint = models.newEndpoint("batching");
    }

    JsonPath put(Map<String, Object> settings, int status) {
        return as(models.token)
                .body(settings)
                .put("/api/v1/teams/{t}/endpoints/{e}/batching", models.team, endpoint)
                .then()
                .statusCode(status)
                .extract()
                .jsonPath();
    }

    JsonPath get() {
        return as(models.token)
                .get("/api/v1/teams/{t}/endpoints/{e}", models.team, endpoint)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** The route serving reads, straight from the database. */
    Batching served() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Endpoint e = endpoints.find("name", endpoint).firstResult();
            return routes.refresh(new TeamScope(e.teamId, models.team, null, Role.MEMBER), endpoint)
                    .batching();
        });
    }

    @Test
    void anEndpointServesWithThePlatformDefaultsUntilItSetsItsOwn() {
        JsonPath shown = get();

        assertThat(shown.getBoolean("batching.enabled")).isTrue();
        assertThat(shown.getInt("batching.maxBatchRecords")).isEqualTo(64);
        assertThat(shown.getDouble("batching.maxWaitMs")).isEqualTo(2.0);
        assertThat(shown.getList("batching.setOnEndpoint")).isEmpty();
        assertThat(served()).isEqualTo(new Batching(true, 64, Duration.ofMillis(2)));
    }

    @Test
    void putReplacesTheSettingsServingUsesThemAndTheAuditTrailSaysFromWhatToWhat() {
        as(models.token)
                .body(Map.of("version", "2"))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", models.team, endpoint)
                .then()
                .statusCode(201);

        JsonPath off = put(Map.of("enabled", false), 200);

        assertThat(off.getBoolean("batching.enabled")).isFalse();
        assertThat(off.getInt("batching.maxBatchRecords")).isEqualTo(64);
        assertThat(off.getList("batching.setOnEndpoint")).containsExactly("enabled");
        assertThat(served()).isEqualTo(new Batching(false, 64, Duration.ofMillis(2)));
        predictGentoo();

        // A replacement, not a patch: enabled goes back to the default.
        JsonPath small = put(Map.of("maxBatchRecords", 8, "maxWaitMs", 0.5), 200);

        assertThat(small.getBoolean("batching.enabled")).isTrue();
        assertThat(small.getInt("batching.maxBatchRecords")).isEqualTo(8);
        assertThat(small.getDouble("batching.maxWaitMs")).isEqualTo(0.5);
        assertThat(small.getList("batching.setOnEndpoint")).containsExactly("maxBatchRecords", "maxWaitMs");
        assertThat(served()).isEqualTo(new Batching(true, 8, Duration.ofNanos(500_000)));
        predictGentoo();

        JsonPath defaults = put(Map.of(), 200);

        assertThat(defaults.getList("batching.setOnEndpoint")).isEmpty();
        assertThat(served()).isEqualTo(new Batching(true, 64, Duration.ofMillis(2)));
        JsonPath history = models.history(endpoint);
        assertThat(history.getList("kind", String.class))
                .containsExactly("BATCHING_CHANGED", "BATCHING_CHANGED", "BATCHING_CHANGED", "PROMOTED");
        assertThat(history.getList("reason", String.class).subList(0, 3))
                .containsExactly(
                        "batching on, up to 64 records, waits up to 2 ms (was on, up to 8 records, waits up to 0.5 ms)",
                        "batching on, up to 8 records, waits up to 0.5 ms (was off)",
                        "batching off (was on, up to 64 records, waits up to 2 ms)");
        assertThat(history.getString("[0].actor")).isNotBlank();
        // What was promoted is untouched.
        assertThat(get().getInt("liveVersion")).isEqualTo(2);
    }

    @Test
    void anEndpointCanBeCreatedWithItsOwnSettings() {
        String name = unique("created").toLowerCase(Locale.ROOT);
        as(models.token)
                .body(Map.of("name", name, "model", TrainedModels.MODEL, "batching", Map.of("maxBatchRecords", 16)))
                .post("/api/v1/teams/{t}/endpoints", models.team)
                .then()
                .statusCode(201)
                .body("batching.maxBatchRecords", equalTo(16))
                .body("batching.enabled", equalTo(true))
                .body("batching.setOnEndpoint", equalTo(List.of("maxBatchRecords")));
        as(models.token)
                .body(Map.of("name", "x" + name, "model", TrainedModels.MODEL, "batching", Map.of("maxWaitMs", 5000)))
                .post("/api/v1/teams/{t}/endpoints", models.team)
                .then()
                .statusCode(400)
                .body("details[0].field", equalTo("batching.maxWaitMs"));
        as(models.token)
                .get("/api/v1/teams/{t}/endpoints/{e}", models.team, "x" + name)
                .then()
                .statusCode(404);
    }

    @Test
    void outOfRangeSettingsAreRefusedNamingTheFieldAndTheOldOnesStay() {
        put(Map.of("maxBatchRecords", 32), 200);

        assertThat(put(Map.of("maxBatchRecords", 0), 400).getString("details[0].field"))
                .isEqualTo("batching.maxBatchRecords");
        assertThat(put(Map.of("maxBatchRecords", 1025), 400).getString("details[0].problem"))
                .isEqualTo("must be between 1 and 1024");
        assertThat(put(Map.of("maxWaitMs", -1), 400).getString("details[0].field"))
                .isEqualTo("batching.maxWaitMs");
        assertThat(put(Map.of("maxWaitMs", 1000.5), 400).getString("details[0].problem"))
                .isEqualTo("must be between 0 and 1000");
        put(Map.of("enabled", "sometimes"), 400);

        assertThat(get().getInt("batching.maxBatchRecords")).isEqualTo(32);
        assertThat(models.history(endpoint).getList("kind", String.class)).containsExactly("BATCHING_CHANGED");
    }

    @Test
    void otherTeamsCannotSeeOrChangeItAndViewersCannotChangeIt() {
        String other = newMember(newTeam(), "ADMIN");
        as(other)
                .body(Map.of("enabled", false))
                .put("/api/v1/teams/{t}/endpoints/{e}/batching", models.team, endpoint)
                .then()
                .statusCode(404);
        String viewer = newMember(models.team, "VIEWER");
        as(viewer)
                .body(Map.of("enabled", false))
                .put("/api/v1/teams/{t}/endpoints/{e}/batching", models.team, endpoint)
                .then()
                .statusCode(403);
        as(models.token)
                .body(Map.of("enabled", false))
                .put("/api/v1/teams/{t}/endpoints/{e}/batching", models.team, "no-such-endpoint")
                .then()
                .statusCode(404);

        assertThat(get().getBoolean("batching.enabled")).isTrue();
        assertThat(models.history(endpoint).getList("kind")).isEmpty();
    }

    private void predictGentoo() {
        as(models.token)
                .body(Map.of("records", List.of(GENTOO)))
                .post("/api/v1/teams/{t}/endpoints/{e}/predict", models.team, endpoint)
                .then()
                .statusCode(200)
                .body("predictions[0].label", equalTo("Gentoo"));
    }
}
