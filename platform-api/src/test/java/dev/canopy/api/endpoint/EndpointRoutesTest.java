package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.config.DatabaseTime;
import dev.canopy.api.error.NotFound;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.model.RegisteredVersion;
import dev.canopy.api.team.TeamScope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
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

    TrainedModels trained;
    String name;
    Endpoint endpoint;
    TeamScope scope;

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
    void aDeletedEndpointIsNotRoutedFromTheCache() {
        as(trained.token)
                .delete("/api/v1/teams/{t}/endpoints/{e}", trained.team, name)
                .then()
                .statusCode(204);

        assertThatThrownBy(() -> routes.route(scope, name)).isInstanceOf(NotFound.class);
    }
}
