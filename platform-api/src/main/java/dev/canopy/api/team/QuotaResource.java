package dev.canopy.api.team;

import dev.canopy.api.team.TeamRecords.QuotaBody;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** A team's limits on trained runs: members read them, platform admins set them. */
@Path("/api/v1/teams/{team}/quota")
public class QuotaResource {

    @Inject
    TeamService service;

    @GET
    public QuotaBody get(@PathParam("team") String team) {
        return service.quota(team);
    }

    @PUT
    public QuotaBody set(@PathParam("team") String team, @Valid @NotNull QuotaBody body) {
        return service.setQuota(team, body);
    }
}
