package dev.canopy.api.team;

import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.csv;
import static dev.canopy.api.TestApi.newDataset;
import static dev.canopy.api.TestApi.newExperiment;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newPenguins;
import static dev.canopy.api.TestApi.newTeam;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every team-scoped endpoint answers 404 to a caller from another team, whether it names the other team in the
 * path or smuggles the other team's ids into its own team's paths; and nothing of the other team changes.
 */
@QuarkusTest
class TeamIsolationTest {

    record Call(String method, String path, Object body) {}

    @Test
    void everyTeamScopedEndpointHidesOtherTeamsData() {
        String teamA = newTeam();
        String ownerA = newMember(teamA, "ADMIN");
        newDataset(ownerA, teamA, "iris");
        csv(ownerA, "a,b\n1,2\n")
                .post("/api/v1/teams/{t}/datasets/iris/versions", teamA)
                .then()
                .statusCode(201);
        newExperiment(ownerA, teamA, "exp");
        String run = as(ownerA)
                .body(Map.of("experiment", "exp", "params", Map.of("lr", "0.1")))
                .post("/api/v1/teams/{t}/runs", teamA)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        as(ownerA)
                .body(Map.of("points", List.of(Map.of("key", "loss", "step", 1, "value", 0.5))))
                .post("/api/v1/teams/{t}/runs/{r}/metrics", teamA, run)
                .then()
                .statusCode(200);

        String teamB = newTeam();
        String outsider = newMember(teamB, "ADMIN");
        newExperiment(outsider, teamB, "exp");
        newDataset(outsider, teamB, "iris");

        for (String team : List.of(teamA, teamB)) {
            List<Call> calls = List.of(
                    new Call("GET", "/teams/" + team + "/runs/" + run, null),
                    new Call("PATCH", "/teams/" + team + "/runs/" + run, Map.of("status", "FINISHED")),
                    new Call("POST", "/teams/" + team + "/runs/" + run + "/params", Map.of("params", Map.of("x", "1"))),
                    new Call(
                            "POST",
                            "/teams/" + team + "/runs/" + run + "/inputs",
                            Map.of("name", "iris", "version", "1")),
                    new Call("POST", "/teams/" + team + "/runs/" + run + "/cancel", null),
                    new Call(
                            "POST",
                            "/teams/" + team + "/runs/" + run + "/metrics",
                            Map.of("points", List.of(Map.of("key", "loss", "value", 9)))),
                    new Call("GET", "/teams/" + team + "/runs/" + run + "/metrics", null),
                    new Call("GET", "/teams/" + team + "/runs/" + run + "/metrics/loss", null),
                    new Call("GET", "/teams/" + team + "/runs/" + run + "/metrics/loss?maxPoints=10", null));
            calls.forEach(call -> assertNotFound(outsider, call));
        }
        List<Call> teamAPaths = List.of(
                new Call("GET", "/teams/" + teamA, null),
                new Call("GET", "/teams/" + teamA + "/members", null),
                new Call("POST", "/teams/" + teamA + "/members", Map.of("user", "admin", "role", "VIEWER")),
                new Call("DELETE", "/teams/" + teamA + "/members/admin", null),
                new Call("GET", "/teams/" + teamA + "/datasets", null),
                new Call("POST", "/teams/" + teamA + "/datasets", Map.of("name", "new")),
                new Call("GET", "/teams/" + teamA + "/datasets/iris", null),
                new Call("GET", "/teams/" + teamA + "/datasets/iris/versions", null),
                new Call("GET", "/teams/" + teamA + "/datasets/iris/versions/1", null),
                new Call("GET", "/teams/" + teamA + "/datasets/iris/versions/latest/content", null),
                new Call("GET", "/teams/" + teamA + "/experiments", null),
                new Call("POST", "/teams/" + teamA + "/experiments", Map.of("name", "new")),
                new Call("GET", "/teams/" + teamA + "/experiments/exp", null),
                new Call("GET", "/teams/" + teamA + "/runs", null),
                new Call("POST", "/teams/" + teamA + "/runs", Map.of("experiment", "exp")),
                new Call("POST", "/teams/" + teamA + "/runs/search", Map.of("filter", "")),
                new Call("GET", "/teams/" + teamA + "/queue", null),
                new Call("GET", "/teams/" + teamA + "/quota", null),
                new Call("GET", "/teams/" + teamA + "/models", null),
                new Call("GET", "/teams/" + teamA + "/models/m", null),
                new Call("GET", "/teams/" + teamA + "/models/m/versions/1", null),
                new Call("GET", "/teams/" + teamA + "/models/m/versions/1/artifact", null),
                new Call("GET", "/teams/" + teamA + "/schedules", null),
                new Call(
                        "POST",
                        "/teams/" + teamA + "/schedules",
                        Map.of(
                                "name",
                                "s",
                                "cron",
                                "0 0 2 * * ?",
                                "runTemplate",
                                Map.of(
                                        "experiment",
                                        "exp",
                                        "dataset",
                                        Map.of("name", "iris"),
                                        "recipe",
                                        "tabular-classification",
                                        "params",
                                        Map.of("label", "b")))),
                new Call("GET", "/teams/" + teamA + "/schedules/s", null),
                new Call("POST", "/teams/" + teamA + "/schedules/s/pause", null),
                new Call("DELETE", "/teams/" + teamA + "/schedules/s", null));
        teamAPaths.forEach(call -> assertNotFound(outsider, call));
        csv(outsider, "a,b\n1,2\n")
                .post("/api/v1/teams/{t}/datasets/iris/versions", teamA)
                .then()
                .statusCode(404)
                .body("code", equalTo("NOT_FOUND"));

        // Team lists and tokens: the outsider sees neither team A nor the tokens of its members.
        as(outsider).get("/api/v1/teams").then().body("name", equalTo(List.of(teamB)));
        String ownersToken = as(ownerA).get("/api/v1/me").then().extract().path("token.id");
        as(outsider)
                .delete("/api/v1/tokens/{id}", ownersToken)
                .then()
                .statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        as(outsider).get("/api/v1/tokens").then().body("id", not(hasItem(ownersToken)));
        as(ownerA).get("/api/v1/me").then().statusCode(200);

        // Team B's search sees none of team A's runs; team A's data is untouched.
        as(outsider)
                .body(Map.of("filter", ""))
                .post("/api/v1/teams/{t}/runs/search", teamB)
                .then()
                .body("runs.size()", equalTo(0));
        as(ownerA)
                .get("/api/v1/teams/{t}/runs/{r}", teamA, run)
                .then()
                .statusCode(200)
                .body("status", equalTo("RUNNING"))
                .body("params", equalTo(Map.of("lr", "0.1")))
                .body("inputs.size()", equalTo(0))
                .body("latestMetrics.loss", equalTo(0.5f));
        as(ownerA).get("/api/v1/teams/{t}/members", teamA).then().body("size()", equalTo(2));
        as(ownerA).get("/api/v1/teams/{t}/datasets", teamA).then().body("size()", equalTo(1));
    }

    /**
     * A schedule that exists in team A (the schedule paths above name one that does not, so they cannot fail for
     * want of a check) is hidden from team B whichever team's paths name it; and team A's dataset named inside team
     * B's own requests is looked up in team B, where it does not exist.
     */
    @Test
    void anotherTeamsScheduleIsHiddenAndNamesInRequestBodiesAreLookedUpInTheCallersTeam() {
        String teamA = newTeam();
        String ownerA = newMember(teamA, "ADMIN");
        newPenguins(ownerA, teamA, "only-a");
        newExperiment(ownerA, teamA, "exp");
        Map<String, Object> template = Map.of(
                "experiment",
                "exp",
                "dataset",
                Map.of("name", "only-a"),
                "recipe",
                "tabular-classification",
                "params",
                Map.of("label", "species"));
        as(ownerA)
                .body(Map.of("name", "nightly", "cron", "0 0 2 * * ?", "runTemplate", template))
                .post("/api/v1/teams/{t}/schedules", teamA)
                .then()
                .statusCode(201);
        String teamB = newTeam();
        String outsider = newMember(teamB, "ADMIN");
        newExperiment(outsider, teamB, "exp");

        for (String team : List.of(teamA, teamB)) {
            List<Call> calls = List.of(
                    new Call("GET", "/teams/" + team + "/schedules/nightly", null),
                    new Call("PATCH", "/teams/" + team + "/schedules/nightly", Map.of("timeZone", "Europe/Paris")),
                    new Call("POST", "/teams/" + team + "/schedules/nightly/pause", null),
                    new Call("POST", "/teams/" + team + "/schedules/nightly/resume", null),
                    new Call("DELETE", "/teams/" + team + "/schedules/nightly", null));
            calls.forEach(call -> assertNotFound(outsider, call));
        }
        List<Call> namingTeamAsDataset = List.of(
                new Call(
                        "POST",
                        "/teams/" + teamB + "/runs",
                        Map.of(
                                "experiment",
                                "exp",
                                "dataset",
                                Map.of("name", "only-a", "version", "latest"),
                                "recipe",
                                "tabular-classification",
                                "params",
                                Map.of("label", "species"))),
                new Call(
                        "POST",
                        "/teams/" + teamB + "/runs",
                        Map.of("experiment", "exp", "inputs", List.of(Map.of("name", "only-a", "version", "1")))),
                new Call(
                        "POST",
                        "/teams/" + teamB + "/schedules",
                        Map.of("name", "copied", "cron", "0 0 2 * * ?", "runTemplate", template)));
        namingTeamAsDataset.forEach(call -> assertNotFound(outsider, call));

        as(outsider).get("/api/v1/teams/{t}/runs", teamB).then().body("runs.size()", equalTo(0));
        as(outsider).get("/api/v1/teams/{t}/schedules", teamB).then().body("size()", equalTo(0));
        as(ownerA)
                .get("/api/v1/teams/{t}/schedules/nightly", teamA)
                .then()
                .statusCode(200)
                .body("paused", equalTo(false))
                .body("timeZone", equalTo("UTC"));
    }

    private static void assertNotFound(String token, Call call) {
        var request = as(token);
        if (call.body() != null) {
            request = request.body(call.body());
        }
        Response response = request.request(call.method(), "/api/v1" + call.path());
        response.then().statusCode(404).body("code", equalTo("NOT_FOUND"));
    }
}
