package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.GENTOO;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.team.TeamScope;
import dev.canopy.runner.inference.TabularModel.Prediction;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Copies sent to a shadow are bounded by the records they hold, and a copy queued before its shadow was stopped does
 * not load the stopped shadow again. Driven through the bean that sends copies, with a route as requests read it.
 */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class ShadowTrafficTest {

    @Inject
    ShadowTraffic shadows;

    @Inject
    EndpointRoutes routes;

    @Inject
    EndpointRepository endpoints;

    @Inject
    LoadedVersions versions;

    TrainedModels trained;
    String name;
    /** The endpoint's route with version 1 live and version 2 its shadow, both of a model only this test serves. */
    Route route;

    @BeforeEach
    void endpointWithAShadow() {
        trained = TrainedModels.get();
        byte[] artifact = as(trained.token)
                .get("/api/v1/teams/{t}/models/{m}/versions/1/artifact", trained.team, TrainedModels.MODEL)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
        String model = unique("shadowed");
        for (int version = 1; version <= 2; version++) {
            given().auth()
                    .oauth2(trained.token)
                    .contentType("application/zip")
                    .body(artifact)
                    .post("/api/v1/teams/{t}/models/{m}/versions", trained.team, model)
                    .then()
                    .statusCode(201);
        }
        name = unique("shadow").toLowerCase(Locale.ROOT);
        as(trained.token)
                .body(Map.of("name", name, "model", model))
                .post("/api/v1/teams/{t}/endpoints", trained.team)
                .then()
                .statusCode(201);
        trained.promote(name, Map.of("version", "1"));
        trained.promote(name, Map.of("version", "2", "shadow", true));
        Endpoint endpoint = QuarkusTransaction.requiringNew()
                .call(() -> endpoints.find("name", name).firstResult());
        route = routes.refresh(new TeamScope(endpoint.teamId, trained.team, null, null), name);
        assertThat(route.shadow().version()).isEqualTo(2);
    }

    private ShadowStats.Totals totals() {
        return shadows.of(route.endpointId(), route.shadowId()).totals();
    }

    @Test
    void copiesBeyondTheRecordsInFlightAreDroppedRatherThanQueued() throws Exception {
        List<Map<String, Object>> records = Collections.nCopies(10_000, GENTOO);
        List<Prediction> returned = versions.served(route.live()).predict(records);
        int copies = 20;

        // Sent at once: each copy takes milliseconds to answer, so at most five (50,000 records) are in flight.
        for (int i = 0; i < copies; i++) {
            shadows.copy(route, records, returned);
        }

        await().atMost(Duration.ofMinutes(1)).until(() -> {
            ShadowStats.Totals totals = totals();
            return totals.dropped() + totals.errors() + totals.compared() / records.size() == copies;
        });
        ShadowStats.Totals totals = totals();
        assertThat(totals.copies()).isEqualTo(copies);
        assertThat(totals.errors()).isZero();
        assertThat(totals.compared() / records.size()).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(copies - 10);
        assertThat(totals.dropped()).isGreaterThanOrEqualTo(10);
    }

    @Test
    void aCopyQueuedBeforeItsShadowStoppedDoesNotLoadItAgain() throws Exception {
        List<Map<String, Object>> records = List.of(GENTOO);
        List<Prediction> returned = versions.served(route.live()).predict(records);
        shadows.copy(route, records, returned);
        await().atMost(Duration.ofSeconds(30)).until(() -> totals().compared() == 1);
        assertThat(versions.isLoaded(route.shadow().id())).isTrue();

        // The rollback stops the shadow and unloads it, while a copy routed before it is still to come.
        as(trained.token)
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", trained.team, name)
                .then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !versions.isLoaded(route.shadow().id()));
        shadows.copy(route, records, returned);

        await().atMost(Duration.ofSeconds(30)).until(() -> totals().dropped() == 1);
        assertThat(totals().compared()).isEqualTo(1);
        assertThat(versions.isLoaded(route.shadow().id())).isFalse();
    }
}
