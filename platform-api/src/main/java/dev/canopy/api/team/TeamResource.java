package dev.canopy.api.team;

import dev.canopy.api.team.TeamRecords.AddMemberRequest;
import dev.canopy.api.team.TeamRecords.CreateTeamRequest;
import dev.canopy.api.team.TeamRecords.MeResponse;
import dev.canopy.api.team.TeamRecords.MemberResponse;
import dev.canopy.api.team.TeamRecords.TeamResponse;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.net.URI;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1")
public class TeamResource {

    @Inject
    TeamService service;

    @GET
    @Path("/me")
    public MeResponse me() {
        return service.me();
    }

    @GET
    @Path("/teams")
    public List<TeamResponse> list() {
        return service.listMine();
    }

    @POST
    @Path("/teams")
    public RestResponse<TeamResponse> create(@Valid @NotNull CreateTeamRequest request) {
        TeamResponse team = service.create(request.name());
        return created(URI.create("/api/v1/teams/" + team.name()), team);
    }

    @GET
    @Path("/teams/{team}")
    public TeamResponse get(@PathParam("team") String team) {
        return service.get(team);
    }

    @GET
    @Path("/teams/{team}/members")
    public List<MemberResponse> members(@PathParam("team") String team) {
        return service.members(team);
    }

    /** Adds a member (201) or changes an existing member's role (200). */
    @POST
    @Path("/teams/{team}/members")
    public RestResponse<List<MemberResponse>> addMember(
            @PathParam("team") String team, @Valid @NotNull AddMemberRequest request) {
        boolean added = service.putMember(team, request);
        List<MemberResponse> members = service.members(team);
        return added
                ? created(URI.create("/api/v1/teams/" + team + "/members/" + request.user()), members)
                : RestResponse.ok(members);
    }

    @DELETE
    @Path("/teams/{team}/members/{user}")
    public void removeMember(@PathParam("team") String team, @PathParam("user") String user) {
        service.removeMember(team, user);
    }

    private static <T> RestResponse<T> created(URI location, T body) {
        return RestResponse.ResponseBuilder.<T>created(location).entity(body).build();
    }
}
