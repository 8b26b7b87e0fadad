package dev.canopy.api;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.newMember;
import static dev.canopy.api.TestApi.newTeam;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Health, OpenAPI and the dashboard are served without a token; the API and metrics are not. */
@QuarkusTest
class PlatformEndpointsTest {

    @Test
    void servesTheDashboardWithoutAToken() {
        given().get("/").then().statusCode(200).body(containsString("<title>Canopy</title>"));
        given().get("/canopy.js").then().statusCode(200).body(containsString("/api/v1"));
    }

    @Test
    void healthIncludesTheDatabase() {
        given().get("/q/health")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
    }

    @Test
    void exposesPrometheusMetricsToPlatformAdminsOnly() {
        given().get("/api/v1/me").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
        given().auth().oauth2("not-a-token").get("/q/metrics").then().statusCode(401);
        // Its series name every team's endpoints: a team admin may not read them.
        String teamAdmin = newMember(newTeam(), "ADMIN");
        given().auth()
                .oauth2(teamAdmin)
                .get("/q/metrics")
                .then()
                .statusCode(403)
                .body("code", equalTo("FORBIDDEN"));
        given().auth()
                .oauth2(adminToken())
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("http_server_requests_seconds_count"));
    }

    @Test
    void callersCannotAddMetricSeriesWithMadeUpPathsOrMethods() {
        String path = "/api/v1/made-up-" + UUID.randomUUID();
        given().get(path).then().statusCode(404);
        given().auth().oauth2(adminToken()).get(path).then().statusCode(404);
        given().request("OPTIONS", path);
        given().request("M12345", "/api/v1/me");
        String metrics = given().auth()
                .oauth2(adminToken())
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics).doesNotContain(path).doesNotContain("M12345").doesNotContain("method=\"OPTIONS\"");
    }

    @Test
    void describesTheApiInOpenApiWithSwaggerUi() {
        given().get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .body("paths.'/api/v1/teams/{team}/runs/search'.post", notNullValue());
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
