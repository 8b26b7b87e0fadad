package dev.canopy.api.run;

import dev.canopy.api.error.QueryParameters;
import dev.canopy.api.run.RunRecords.CreateRunRequest;
import dev.canopy.api.run.RunRecords.DatasetInput;
import dev.canopy.api.run.RunRecords.LogParamsRequest;
import dev.canopy.api.run.RunRecords.RunPage;
import dev.canopy.api.run.RunRecords.RunResponse;
import dev.canopy.api.run.RunRecords.SearchRunsRequest;
import dev.canopy.api.run.RunRecords.UpdateRunRequest;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestResponse;

@Path("/api/v1/teams/{team}/runs")
public class RunResource {

    @Inject
    RunService service;

    @Inject
    RunSearch search;

    @POST
    public RestResponse<RunResponse> create(@PathParam("team") String team, @Valid @NotNull CreateRunRequest request) {
        RunResponse run = service.create(team, request);
        return created(URI.create("/api/v1/teams/" + team + "/runs/" + run.id()), run);
    }

    /** Lists runs newest first, optionally of one experiment; {@link #search} does the rest. */
    @GET
    public RunPage list(
            @PathParam("team") String team,
            @QueryParam("experiment") String experiment,
            @QueryParam("pageSize") String pageSize,
            @QueryParam("pageToken") String pageToken) {
        String filter = experiment == null ? null : "experiment = '" + experiment.replace("'", "''") + "'";
        return search.search(
                team,
                new SearchRunsRequest(
                        filter, List.of(), QueryParameters.wholeNumber("pageSize", pageSize, 1, 1000), pageToken));
    }

    @POST
    @Path("/search")
    public RunPage search(@PathParam("team") String team, @Valid @NotNull SearchRunsRequest request) {
        return search.search(team, request);
    }

    @GET
    @Path("/{runId}")
    public RunResponse get(@PathParam("team") String team, @PathParam("runId") UUID runId) {
        return service.get(team, runId);
    }

    @PATCH
    @Path("/{runId}")
    public RunResponse update(
            @PathParam("team") String team, @PathParam("runId") UUID runId, @Valid @NotNull UpdateRunRequest request) {
        return service.update(team, runId, request);
    }

    @POST
    @Path("/{runId}/params")
    public RunResponse logParams(
            @PathParam("team") String team, @PathParam("runId") UUID runId, @Valid @NotNull LogParamsRequest request) {
        return service.logParams(team, runId, request.params());
    }

    @POST
    @Path("/{runId}/inputs")
    public RunResponse addInput(
            @PathParam("team") String team, @PathParam("runId") UUID runId, @Valid @NotNull DatasetInput input) {
        return service.addInput(team, runId, input);
    }

    @POST
    @Path("/{runId}/cancel")
    public RunResponse cancel(@PathParam("team") String team, @PathParam("runId") UUID runId) {
        return service.cancel(team, runId);
    }

    private static <T> RestResponse<T> created(URI location, T body) {
        return RestResponse.ResponseBuilder.<T>created(location).entity(body).build();
    }
}
