package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.EmbeddedRunnerProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A canary's decision applies to that canary only, not to a later one of the same version. */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class CanaryDecisionTest {

    @Inject
    EndpointRollbacks rollbacks;

    @Inject
    EndpointRepository endpoints;

    @Test
    void anEarlierCanarysDecisionDoesNotEndALaterCanaryOfTheSameVersion() {
        TrainedModels trained = TrainedModels.get();
        String name = trained.newEndpoint("decided");
        trained.promote(name, Map.of("version", "1"));
        // Version 2 as a canary that decides nothing by itself in this test.
        Map<String, Object> canary = Map.of(
                "version", "2", "canaryPercent", 10, "canary", Map.of("minRequests", 1000, "completeAfter", 1000));
        trained.promote(name, canary);
        Endpoint first = endpoint(name);
        as(trained.token)
                .post("/api/v1/teams/{t}/endpoints/{e}/rollback", trained.team, name)
                .then()
                .statusCode(200);
        trained.promote(name, canary);
        Endpoint second = endpoint(name);
        assertThat(second.canaryVersionId).isEqualTo(first.canaryVersionId);
        assertThat(second.canaryId).isNotEqualTo(first.canaryId);

        // The first canary's watch decides late: nothing happens to the second.
        rollbacks.canaryDecided(
                second.id, first.canaryId, first.canaryVersionId, new CanaryWatch.Decision(false, "late"));
        assertThat(endpoint(name).canaryId).isEqualTo(second.canaryId);
        rollbacks.canaryDecided(
                second.id, UUID.randomUUID(), second.canaryVersionId, new CanaryWatch.Decision(false, "unknown"));
        assertThat(endpoint(name).canaryId).isEqualTo(second.canaryId);

        rollbacks.canaryDecided(
                second.id, second.canaryId, second.canaryVersionId, new CanaryWatch.Decision(false, "its own"));
        Endpoint after = endpoint(name);
        assertThat(after.canaryId).isNull();
        assertThat(after.canaryVersionId).isNull();
        assertThat(trained.history(name).getString("[0].kind")).isEqualTo("CANARY_ROLLED_BACK");
        assertThat(trained.history(name).getString("[0].reason")).isEqualTo("its own");
    }

    private Endpoint endpoint(String name) {
        return QuarkusTransaction.requiringNew()
                .call(() -> endpoints.find("name", name).firstResult());
    }
}
