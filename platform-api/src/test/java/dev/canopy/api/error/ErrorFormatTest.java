package dev.canopy.api.error;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static dev.canopy.api.TestApi.newRun;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One error body everywhere, never a stack trace. */
@QuarkusTest
class ErrorFormatTest {

    @Test
    void pinsTheBodyOfAFailedValidation() {
        as(adminToken())
                .body("{}")
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(400)
                .body(equalTo("{\"code\":\"INVALID_REQUEST\",\"message\":\"Invalid request: name: must not be blank\","
                        + "\"details\":[{\"field\":\"name\",\"problem\":\"must not be blank\"}]}"));
    }

    @Test
    void reportsMalformedJsonWithItsLocation() {
        as(adminToken())
                .body("{\"name\": ")
                .post("/api/v1/teams/default/experiments")
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("message", containsString("Malformed JSON at line 1"))
                .body(not(containsString("at com.fasterxml")));
        String run = newRun(adminToken(), "default");
        as(adminToken())
                .body(Map.of("points", List.of(Map.of("key", "x", "step", "seven", "value", 1))))
                .post("/api/v1/teams/default/runs/{r}/metrics", run)
                .then()
                .statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("details[0].field", equalTo("points[0].step"));
    }

    @Test
    void unknownPathsAndMethodsAnswerInTheSameFormat() {
        as(adminToken())
                .get("/api/v1/teams/default/nothing-here")
                .then()
                .statusCode(404)
                .body("code", equalTo("NOT_FOUND"));
        as(adminToken())
                .delete("/api/v1/teams/default/datasets")
                .then()
                .statusCode(405)
                .body("code", equalTo("INVALID_REQUEST"));
        given().auth()
                .oauth2(adminToken())
                .contentType("application/xml")
                .body("<a/>")
                .post("/api/v1/teams/default/datasets")
                .then()
                .statusCode(415)
                .body("code", equalTo("INVALID_REQUEST"));
    }
}
