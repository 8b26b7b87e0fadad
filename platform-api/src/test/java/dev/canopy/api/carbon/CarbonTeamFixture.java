package dev.canopy.api.carbon;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.queueSpecies;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.api.worker.FakeRunner;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the carbon tests start from: a team of their own with an admin, the penguins dataset, an experiment and a
 * runner token for fake runners that serve that team only (so they claim only its runs).
 */
abstract class CarbonTeamFixture {

    static final Offset<Double> EXACT = within(1e-9);
    static final double KWH = 3_600_000.0;

    String team;
    String owner;
    String runnerToken;

    @BeforeEach
    void team() {
        FakeRunner.RunnerTeam fixture = FakeRunner.newRunnerTeam();
        team = fixture.team();
        owner = fixture.owner();
        runnerToken = fixture.runnerToken();
    }

    /** A queued tabular-classification run on the penguins. */
    String submit(String experiment, int epochs) {
        return queueSpecies(owner, team, experiment, Map.of("epochs", epochs));
    }

    JsonPath run(String id) {
        return json(as(owner).get("/api/v1/teams/{t}/runs/{r}", team, id).then().statusCode(200));
    }

    /** The body with decimals as doubles (RestAssured's default reads them as floats). */
    static JsonPath json(ValidatableResponse response) {
        return response.extract().jsonPath().using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
    }
}
