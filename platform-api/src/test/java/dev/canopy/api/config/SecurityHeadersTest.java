package dev.canopy.api.config;

import static dev.canopy.api.TestApi.adminToken;
import static dev.canopy.api.TestApi.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The headers that keep browsers and caches from doing what they should not with the platform's answers. */
@QuarkusTest
class SecurityHeadersTest {

    @Test
    void theDashboardRunsOnlyItsOwnScriptAndCannotBeFramed() {
        for (String page : new String[] {"/", "/index.html"}) {
            given().get(page)
                    .then()
                    .statusCode(200)
                    .header("Content-Security-Policy", containsString("default-src 'self'"))
                    .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("X-Frame-Options", equalTo("DENY"))
                    .header("X-Content-Type-Options", equalTo("nosniff"))
                    .header("Referrer-Policy", equalTo("no-referrer"));
        }
        given().get("/canopy.js").then().statusCode(200).header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void noCacheKeepsAnApiAnswerAndATokenSecretLeast() {
        as(adminToken())
                .body(Map.of("name", "headers"))
                .post("/api/v1/tokens")
                .then()
                .statusCode(201)
                .header("Cache-Control", equalTo("no-store"))
                .header("X-Content-Type-Options", equalTo("nosniff"));
        as(adminToken()).get("/api/v1/me").then().statusCode(200).header("Cache-Control", equalTo("no-store"));
        given().get("/q/health").then().header("Content-Security-Policy", nullValue());
    }
}
