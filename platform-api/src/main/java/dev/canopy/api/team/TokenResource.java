package dev.canopy.api.team;

import dev.canopy.api.error.InvalidRequest;
import dev.canopy.api.team.TeamRecords.CreateUserRequest;
import dev.canopy.api.team.TeamRecords.UserResponse;
import dev.canopy.api.team.TokenRecords.CreateTokenRequest;
import dev.canopy.api.team.TokenRecords.CreatedTokenResponse;
import dev.canopy.api.team.TokenRecords.TokenResponse;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestResponse;

/** Users and their API tokens. */
@Path("/api/v1")
public class TokenResource {

    @Inject
    TokenService tokens;

    @Inject
    TokenRevocations revocations;

    @Inject
    UserService users;

    @POST
    @Path("/tokens")
    public RestResponse<CreatedTokenResponse> create(@Valid @NotNull CreateTokenRequest request) {
        CreatedTokenResponse token = tokens.createForCaller(request);
        return created(URI.create("/api/v1/tokens/" + token.id()), token);
    }

    @GET
    @Path("/tokens")
    public List<TokenResponse> list() {
        return tokens.listOwn();
    }

    @DELETE
    @Path("/tokens/{id}")
    public void revoke(@PathParam("id") UUID id, @QueryParam("cascade") String cascade) {
        // Read by hand: anything but true or false would be a plain revoke, and whoever handles a leak would believe
        // they had cascaded.
        if (cascade != null && !cascade.equals("true") && !cascade.equals("false")) {
            throw new InvalidRequest("cascade", "must be true or false, not '" + cascade + "'");
        }
        revocations.revoke(id, "true".equals(cascade));
    }

    @POST
    @Path("/users")
    public RestResponse<UserResponse> createUser(@Valid @NotNull CreateUserRequest request) {
        UserResponse user = users.create(request);
        return created(URI.create("/api/v1/users/" + user.name()), user);
    }

    @GET
    @Path("/users")
    public List<UserResponse> listUsers() {
        return users.list();
    }

    @POST
    @Path("/users/{user}/tokens")
    public RestResponse<CreatedTokenResponse> createForUser(
            @PathParam("user") String user, @Valid @NotNull CreateTokenRequest request) {
        CreatedTokenResponse token = tokens.createForUser(user, request);
        return created(URI.create("/api/v1/tokens/" + token.id()), token);
    }

    private static <T> RestResponse<T> created(URI location, T body) {
        return RestResponse.ResponseBuilder.<T>created(location).entity(body).build();
    }
}
