package dev.canopy.api.model;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.api.LockWaits;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Changes to a model that overlap another change to it: each test holds the model's rows in a transaction of its own,
 * starts a request, lands the other change while the request waits, and checks that neither change is lost.
 */
@QuarkusTest
class ModelCurationRaceTest {

    @Inject
    ModelService registry;

    @Inject
    AgroalDataSource dataSource;

    String team;
    String token;
    String model;
    UUID modelId;
    UUID versionId;

    @BeforeEach
    void aModelWithAVersion() throws SQLException {
        team = newTeam();
        token = newMember(team, "MEMBER");
        model = "curated-" + UUID.randomUUID();
        UUID teamId = LockWaits.id(dataSource, "SELECT id FROM teams WHERE name = ?", team);
        QuarkusTransaction.requiringNew()
                .run(() -> registry.register(new NewModelVersion(
                        teamId,
                        model,
                        null,
                        null,
                        "uploaded",
                        Map.of(),
                        Map.of(),
                        "models/test/" + UUID.randomUUID(),
                        Map.of())));
        modelId = LockWaits.id(dataSource, "SELECT id FROM models WHERE name = ?", model);
        versionId = LockWaits.id(
                dataSource,
                "SELECT id FROM model_versions WHERE model_id = (SELECT id FROM models WHERE name = ?)",
                model);
    }

    @Test
    void tagsPatchedWhileAnotherPatchCommitsKeepBoth() throws Exception {
        assertPatchKeepsTheOtherPatchsTag("/api/v1/teams/{t}/models/{m}", "models", modelId);
    }

    @Test
    void aVersionsTagsPatchedWhileAnotherPatchCommitsKeepBoth() throws Exception {
        assertPatchKeepsTheOtherPatchsTag("/api/v1/teams/{t}/models/{m}/versions/1", "model_versions", versionId);
    }

    /** Tags {@code b} through {@code path} while another change tags the row {@code a}: both tags stay. */
    private void assertPatchKeepsTheOtherPatchsTag(String path, String table, UUID row) throws Exception {
        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> {
                    LockWaits.execute(c, "SELECT 1 FROM models WHERE id = ? FOR UPDATE", modelId);
                    LockWaits.execute(c, "SELECT 1 FROM " + table + " WHERE id = ? FOR UPDATE", row);
                },
                "%model%",
                () -> as(token)
                        .body(Map.of("tags", Map.of("b", "2")))
                        .patch(path, team, model)
                        .statusCode(),
                c -> LockWaits.execute(c, "UPDATE " + table + " SET tags = '{\"a\": \"1\"}' WHERE id = ?", row));

        assertThat(status).isEqualTo(200);
        Map<String, String> tags = as(token)
                .get(path, team, model)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("tags", String.class, String.class);
        assertThat(tags).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
    }

    @Test
    void anAliasSetWhileAnotherRequestCreatesItIsMovedNotRefused() throws Exception {
        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> {
                    LockWaits.execute(c, "SELECT 1 FROM models WHERE id = ? FOR UPDATE", modelId);
                    // The other request's alias, not committed yet.
                    LockWaits.execute(
                            c,
                            "INSERT INTO model_aliases (model_id, alias, version_id, set_at) SELECT model_id,"
                                    + " 'champion', id, now() FROM model_versions WHERE id = ?",
                            versionId);
                },
                "%model%",
                () -> as(token)
                        .body(Map.of("version", "1"))
                        .put("/api/v1/teams/{t}/models/{m}/aliases/champion", team, model)
                        .statusCode(),
                c -> {});

        assertThat(status).isEqualTo(200);
        assertThat(as(token)
                        .get("/api/v1/teams/{t}/models/{m}/versions/champion", team, model)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void anAliasRemovedWhileAnotherRequestRemovesItIsNotFound() throws Exception {
        as(token)
                .body(Map.of("version", "1"))
                .put("/api/v1/teams/{t}/models/{m}/aliases/champion", team, model)
                .then()
                .statusCode(200);

        int status = LockWaits.callWhileHeld(
                dataSource,
                c -> {
                    LockWaits.execute(c, "SELECT 1 FROM models WHERE id = ? FOR UPDATE", modelId);
                    LockWaits.execute(
                            c,
                            "SELECT 1 FROM model_aliases WHERE model_id = ? AND alias = 'champion' FOR UPDATE",
                            modelId);
                },
                "%model%",
                () -> as(token)
                        .delete("/api/v1/teams/{t}/models/{m}/aliases/champion", team, model)
                        .statusCode(),
                c -> LockWaits.execute(
                        c, "DELETE FROM model_aliases WHERE model_id = ? AND alias = 'champion'", modelId));

        assertThat(status).isEqualTo(404);
    }
}
