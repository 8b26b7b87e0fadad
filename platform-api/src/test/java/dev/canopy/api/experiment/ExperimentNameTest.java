package dev.canopy.api.experiment;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Experiment names are free text, like MLflow's: each one stored can be read back at its Location. */
@QuarkusTest
class ExperimentNameTest {

    @Test
    void everyNameThatCanBeCreatedIsReachableAtItsLocation() {
        String team = newTeam();
        String token = newMember(team, "MEMBER");
        for (String name : new String[] {
            "/Users/me/churn",
            "a/b",
            "a/../b",
            "a/./b",
            "...",
            ".hidden",
            "a;b",
            "a?b=c",
            "a#b",
            "x y",
            "%2F",
            "50%",
            "ünïcödé ✓",
            "a\\b"
        }) {
            String location = as(token)
                    .body(Map.of("name", name))
                    .post("/api/v1/teams/{t}/experiments", team)
                    .then()
                    .statusCode(201)
                    .extract()
                    .header("Location");
            as(token)
                    .urlEncodingEnabled(false)
                    .get(location)
                    .then()
                    .statusCode(200)
                    .body("name", equalTo(name));
            as(token)
                    .get("/api/v1/teams/{t}/experiments/{e}", team, name)
                    .then()
                    .statusCode(200)
                    .body("name", equalTo(name));
        }
    }

    @Test
    void namesAUrlCannotHoldAreRefused() {
        String team = newTeam();
        String token = newMember(team, "MEMBER");
        // A path segment of "." or ".." is resolved away: GET …/experiments/.. would answer for the team.
        for (String name : new String[] {".", "..", "tab\there", "line\nbreak"}) {
            as(token)
                    .body(Map.of("name", name))
                    .post("/api/v1/teams/{t}/experiments", team)
                    .then()
                    .statusCode(400)
                    .body("details[0].field", equalTo("name"))
                    .body("details[0].problem", containsString("'..'"));
        }
    }
}
