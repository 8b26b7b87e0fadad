package dev.canopy.api.endpoint;

import static dev.canopy.api.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.EmbeddedRunnerProfile;
import dev.canopy.api.LockWaits;
import dev.canopy.api.TestApi;
import dev.canopy.api.model.ModelService;
import dev.canopy.api.team.TeamScope;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Changes to an endpoint that meet another change: a rollback or a promotion applies to the endpoint as its call read
 * it (when another change, such as a canary's own decision, commits between that read and the row lock, the call
 * changes nothing and answers 409), and a batching change keeps what committed before it. The tests hold the
 * endpoint's row, let the call queue behind it, change the row as that other change would and commit.
 */
@QuarkusTest
@TestProfile(EmbeddedRunnerProfile.class)
class EndpointChangeRaceTest {

    /** SQL for the id of version 2 of the endpoint's model. */
    private static final String VERSION_TWO =
            "(SELECT v.id FROM model_versions v WHERE v.model_id = endpoints.model_id AND v.version = 2)";

    @Inject
    EndpointRepository endpoints;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    LoadedVersions versions;

    @Inject
    ModelService models;

    @Test
    void aRollbackMeantForACanaryThatEndedMeanwhileLeavesTheLiveVersionAlone() throws Exception {
        TrainedModels trained = TrainedModels.get();
        String name = withVersionOneLive(trained, "raced-rollback").name;
        trained.promote(name, Map.of("version", "2"));
        trained.promote(name, Map.of("version", "1", "canaryPercent", 10, "canary", Map.of("minRequests", 1000)));
        Endpoint before = endpoint(name);

        // The canary policy rolls the canary back while the caller's rollback is on its way.
        Response response = whileHeld(
                before.id,
                "UPDATE endpoints SET canary_version_id = NULL, canary_percent = NULL, canary_policy = NULL,"
                        + " canary_id = NULL WHERE id = ?",
                () -> as(trained.token).post("/api/v1/teams/{t}/endpoints/{e}/rollback", trained.team, name));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.jsonPath().getString("message")).contains("changed", "nothing was rolled back");
        Endpoint after = endpoint(name);
        // Finding no canary, the rollback would have made version 1 live again instead.
        assertThat(after.liveVersionId).isEqualTo(before.liveVersionId);
        assertThat(after.previousVersionId).isEqualTo(before.previousVersionId);
    }

    @Test
    void aShadowIsNotStartedOnAVersionThatBecameTheCanaryMeanwhile() throws Exception {
        TrainedModels trained = TrainedModels.get();
        Endpoint before = withVersionOneLive(trained, "raced-shadow");
        String name = before.name;

        // Another promotion makes version 2 the canary while this one starts it as a shadow.
        Response response = whileHeld(
                before.id,
                "UPDATE endpoints SET canary_percent = 10, canary_id = gen_random_uuid(), canary_policy ="
                        + " '{\"minRequests\": 1000, \"completeAfter\": 1000, \"maxErrorRateIncrease\": 0.02,"
                        + " \"maxP99Increase\": 0.5}', canary_version_id = " + VERSION_TWO + " WHERE id = ?",
                () -> as(trained.token)
                        .body(Map.of("version", "2", "shadow", true))
                        .post("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.jsonPath().getString("message")).contains("changed");
        Endpoint after = endpoint(name);
        assertThat(after.canaryVersionId).isNotNull();
        // A shadow of the canary would only be compared with itself.
        assertThat(after.shadowVersionId).isNull();
    }

    /**
     * A refusal judged against the endpoint as read before the gates: when another promotion changed it meanwhile,
     * the refusal is stale too (its "from" and its beats-live figures were of the old live version), so nothing is
     * recorded and the caller is told to promote again.
     */
    @Test
    void aRefusalOfAnEndpointThatChangedMeanwhileIsNotRecorded() throws Exception {
        TrainedModels trained = TrainedModels.get();
        Endpoint before = withVersionOneLive(trained, "raced-refusal");
        String name = before.name;

        Response response = whileHeld(
                before.id,
                "UPDATE endpoints SET previous_version_id = live_version_id, live_version_id = " + VERSION_TWO
                        + " WHERE id = ?",
                () -> as(trained.token)
                        .body(Map.of(
                                "version", "2", "gates", List.of(Map.of("expression", "metrics.test_accuracy > 2"))))
                        .post("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name));

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.jsonPath().getString("code")).isEqualTo("CONFLICT");
        assertThat(response.jsonPath().getString("message")).contains("changed while the gates were checked");
        assertThat(trained.history(name).getList("kind")).doesNotContain("REJECTED");
    }

    @Test
    void aBatchingChangeMadeWhileAPromotionCommitsKeepsThePromotion() throws Exception {
        TrainedModels trained = TrainedModels.get();
        Endpoint before = withVersionOneLive(trained, "raced-batching");
        String name = before.name;

        // A promotion of version 2 commits while the batching change waits for the endpoint.
        Response response = whileHeld(
                before.id,
                "UPDATE endpoints SET previous_version_id = live_version_id, live_version_id = " + VERSION_TWO
                        + " WHERE id = ?",
                () -> as(trained.token)
                        .body(Map.of("maxBatchRecords", 8))
                        .put("/api/v1/teams/{t}/endpoints/{e}/batching", trained.team, name));

        assertThat(response.statusCode()).isEqualTo(200);
        Endpoint after = endpoint(name);
        // Read before the lock and written back whole, the endpoint lost the promotion.
        assertThat(after.previousVersionId).isEqualTo(before.liveVersionId);
        assertThat(after.liveVersionId).isNotEqualTo(before.liveVersionId);
        assertThat(after.batching.maxBatchRecords()).isEqualTo(8);
    }

    @Test
    void aPromotionsCandidateStaysLoadedFromItsWarmUpUntilThePromotionCommits() throws Exception {
        TrainedModels trained = TrainedModels.get();
        Endpoint before = withVersionOneLive(trained, "pinned");
        String name = before.name;
        TeamScope scope = new TeamScope(before.teamId, trained.team, null, null);
        UUID two = QuarkusTransaction.requiringNew()
                .call(() -> models.resolve(scope, TrainedModels.MODEL, "2").id());

        Response response = whileHeld(
                before.id,
                () -> as(trained.token)
                        .body(Map.of("version", "2"))
                        .post("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name),
                c -> {
                    // Warmed up, not committed: what the sweep or another endpoint's change does now.
                    versions.unloadUnserved();
                    assertThat(versions.loadedVersions()).contains(two);
                });

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(versions.loadedVersions()).contains(two);
    }

    @Test
    void aPromotionOrRollbackWhoseTokenIsRevokedWhileItIsUnderWayChangesNothing() throws Exception {
        TrainedModels trained = TrainedModels.get();
        Endpoint before = withVersionOneLive(trained, "revoked-meanwhile");
        String name = before.name;

        // The gates and the warm-up passed; the token is revoked before the change commits.
        Map<String, Object> promoting = newToken(trained.token);
        Response promotion = whileHeld(
                before.id,
                () -> as((String) promoting.get("token"))
                        .body(Map.of("version", "2"))
                        .post("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name),
                c -> revoke(trained.token, promoting));

        assertThat(promotion.statusCode()).isEqualTo(401);
        assertThat(endpoint(name).liveVersionId).isEqualTo(before.liveVersionId);
        assertThat(events(trained, name)).containsExactly("PROMOTED");

        trained.promote(name, Map.of("version", "2"));
        Endpoint promoted = endpoint(name);
        Map<String, Object> rollingBack = newToken(trained.token);
        Response rollback = whileHeld(
                promoted.id,
                () -> as((String) rollingBack.get("token"))
                        .post("/api/v1/teams/{t}/endpoints/{e}/rollback", trained.team, name),
                c -> revoke(trained.token, rollingBack));

        assertThat(rollback.statusCode()).isEqualTo(401);
        assertThat(endpoint(name).liveVersionId).isEqualTo(promoted.liveVersionId);
        assertThat(events(trained, name)).containsExactly("PROMOTED", "PROMOTED");
    }

    @Test
    void aPromotionRefusedByItsGatesAfterItsEndpointWasDeletedIs404AndRecordsNothing() throws Exception {
        TrainedModels trained = TrainedModels.get();
        Endpoint before = withVersionOneLive(trained, "deleted-meanwhile");
        String name = before.name;

        Response refused = whileHeld(before.id, "DELETE FROM endpoints WHERE id = ?", () -> as(trained.token)
                .body(Map.of(
                        "version", "2", "gates", java.util.List.of(Map.of("expression", "metrics.test_accuracy >= 2"))))
                .post("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name));

        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(404);
        // The trail of the deleted endpoint is not extended with a refusal after its end.
        assertThat(events(trained, name)).containsExactly("PROMOTED");
    }

    /** A new token of the user behind {@code token}: its id and secret. */
    private static Map<String, Object> newToken(String token) {
        return as(token)
                .body(Map.of("name", TestApi.unique("short-lived")))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath()
                .getMap("");
    }

    private static void revoke(String token, Map<String, Object> revoked) {
        as(token).delete("/api/v1/tokens/{id}", revoked.get("id")).then().statusCode(204);
    }

    /** The kinds of the endpoint's audit records, newest first. */
    private static java.util.List<String> events(TrainedModels trained, String name) {
        return as(trained.token)
                .get("/api/v1/teams/{t}/endpoints/{e}/promotions", trained.team, name)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("kind");
    }

    /** Runs {@code call} while this test holds the endpoint's row; once it waits, commits {@code change}. */
    private Response whileHeld(UUID endpoint, String change, Callable<Response> call) throws Exception {
        return whileHeld(endpoint, call, c -> LockWaits.execute(c, change, endpoint));
    }

    /** Runs {@code call} while this test holds the endpoint's row; once it waits, runs {@code meanwhile}. */
    private Response whileHeld(UUID endpoint, Callable<Response> call, LockWaits.Work meanwhile) throws Exception {
        return LockWaits.callWhileHeld(
                dataSource,
                c -> LockWaits.execute(c, "SELECT 1 FROM endpoints WHERE id = ? FOR UPDATE", endpoint),
                "%from endpoints%for %update%",
                call,
                meanwhile);
    }

    /** A new endpoint of the trained model with version 1 live, as stored. */
    private Endpoint withVersionOneLive(TrainedModels trained, String prefix) {
        String name = trained.newEndpoint(prefix);
        trained.promote(name, Map.of("version", "1"));
        return endpoint(name);
    }

    private Endpoint endpoint(String name) {
        return QuarkusTransaction.requiringNew()
                .call(() -> endpoints.find("name", name).firstResult());
    }
}
