package dev.canopy.api;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;

/** Test data made through the public API, as a client would make it. */
public final class TestApi {

    private TestApi() {}

    /** The token the first start wrote to {@code $CANOPY_HOME/admin-token}. */
    public static String adminToken() {
        String home = ConfigProvider.getConfig().getValue("canopy.home", String.class);
        try {
            return Files.readString(Path.of(home, "admin-token")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new team; the admin user is its first admin. */
    public static String newTeam() {
        String team = unique("team");
        as(adminToken()).body(Map.of("name", team)).post("/api/v1/teams").then().statusCode(201);
        return team;
    }

    /** A new user with {@code role} in {@code team}; returns a token for that user. */
    public static String newMember(String team, String role) {
        return newMemberWithToken(team, role).token();
    }

    /** A user, the id of a token of theirs and the token itself. */
    public record Member(String user, String tokenId, String token) {
        /** Adds the user to {@code team} with {@code role}. */
        public void join(String team, String role) {
            as(adminToken())
                    .body(Map.of("user", user, "role", role))
                    .post("/api/v1/teams/{team}/members", team)
                    .then()
                    .statusCode(201);
        }
    }

    /** A new user with {@code role} in {@code team}, with a token. */
    public static Member newMemberWithToken(String team, String role) {
        String user = unique("user");
        as(adminToken()).body(Map.of("name", user)).post("/api/v1/users").then().statusCode(201);
        JsonPath issued = as(adminToken())
                .body(Map.of("name", "test"))
                .post("/api/v1/users/{user}/tokens", user)
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        Member member = new Member(user, issued.getString("id"), issued.getString("token"));
        if (team != null) {
            member.join(team, role);
        }
        return member;
    }

    public static void newExperiment(String token, String team, String experiment) {
        as(token)
                .body(Map.of("name", experiment))
                .post("/api/v1/teams/{team}/experiments", team)
                .then()
                .statusCode(201);
    }

    /** A new tracked run (RUNNING) in a new experiment; returns its id. */
    public static String newRun(String token, String team) {
        String experiment = unique("exp");
        newExperiment(token, team, experiment);
        return as(token)
                .body(Map.of("experiment", experiment))
                .post("/api/v1/teams/{team}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    public static void newDataset(String token, String team, String dataset) {
        as(token)
                .body(Map.of("name", dataset))
                .post("/api/v1/teams/{team}/datasets", team)
                .then()
                .statusCode(201);
    }

    /** One Gentoo penguin as a prediction record: the trained species models label it Gentoo. */
    public static final Map<String, Object> GENTOO = Map.of(
            "island",
            "Biscoe",
            "bill_length_mm",
            46.1,
            "bill_depth_mm",
            13.2,
            "flipper_length_mm",
            211,
            "body_mass_g",
            4500,
            "sex",
            "FEMALE");

    /** The penguins dataset (344 rows, with missing values) as version 1 of a new dataset {@code name}. */
    public static void newPenguins(String token, String team, String name) {
        newDataset(token, team, name);
        try (InputStream penguins = TestApi.class.getResourceAsStream("/datasets/penguins.csv")) {
            given().auth()
                    .oauth2(token)
                    .contentType("text/csv")
                    .body(penguins.readAllBytes())
                    .post("/api/v1/teams/{t}/datasets/{d}/versions", team, name)
                    .then()
                    .statusCode(201);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The penguins, their rows in reverse order, as version 1 of a new dataset {@code name}: other bytes than the
     * data the team's models were trained on, for a held-out gate (which refuses that data).
     */
    public static void newReversedPenguins(String token, String team, String name) {
        newDataset(token, team, name);
        try (InputStream penguins = TestApi.class.getResourceAsStream("/datasets/penguins.csv")) {
            List<String> lines = new ArrayList<>(new String(penguins.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList());
            Collections.reverse(lines.subList(1, lines.size()));
            csv(token, String.join("\n", lines) + "\n")
                    .post("/api/v1/teams/{t}/datasets/{d}/versions", team, name)
                    .then()
                    .statusCode(201);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A queued tabular-classification run predicting {@code species} on the latest version of dataset "penguins", with
     * {@code params} besides the label; returns its id.
     */
    public static String queueSpecies(String token, String team, String experiment, Map<String, Object> params) {
        Map<String, Object> all = new HashMap<>(params);
        all.put("label", "species");
        return as(token)
                .body(Map.of(
                        "experiment",
                        experiment,
                        "dataset",
                        Map.of("name", "penguins", "version", "latest"),
                        "recipe",
                        "tabular-classification",
                        "params",
                        all))
                .post("/api/v1/teams/{team}/runs", team)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    public static RequestSpecification csv(String token, String content) {
        return given().auth().oauth2(token).contentType("text/csv").body(content);
    }
}
